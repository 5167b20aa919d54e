import { InputError, ResponseError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  APP_DATABASE,
  BranchRequest,
  branchRequestSchema,
  Cluster,
  clusterEntityRef,
  describeValidationError,
  isBranchOf,
  outsideRecoveryWindow,
} from '@orochi/backstage-plugin-orochi-common';
import { outputCluster } from './clusterOutputs';
import { examples } from './createBranch.examples';
import { findClusterByName } from './findCluster';
import {
  clusterPageUrl,
  DRY_RUN_CLUSTER_ID,
  explained,
  OrochiActionDeps,
  orochiApi,
  userToken,
  waitForOperation,
} from './orochiApi';

/**
 * How far the Orochi backend's clock may run behind the scaffolder's when a retried task recognises the branch
 * its first attempt created.
 */
const CLOCK_SKEW_MS = 60_000;

/** What the create checkpoint keeps: enough to wait for the branch and output it on a retry. */
interface CreatedBranch {
  clusterId: string;
  /** Absent when a retry found the branch's copy already done. */
  operationId?: string;
  parentName: string;
  [key: string]: string | undefined;
}

/**
 * `orochi:branch:create`: a branch of a cluster (a copy of it now or at a moment of its recovery window that
 * Orochi deletes when its time to live ends), as the user running the template; waits until it is ready unless
 * told not to. A retried task creates nothing twice.
 */
export function createOrochiBranchCreateAction(deps: OrochiActionDeps) {
  const api = orochiApi(deps);
  return createTemplateAction({
    id: 'orochi:branch:create',
    description:
      'Creates a branch of an Orochi cluster: a copy of it as it is now, or as it was at a moment of its recovery window, that is deleted when its time to live ends (default from the offering, 24 h). Waits until it is ready, and outputs where to connect; never the password, which the branch page reveals to those allowed.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        parent: z =>
          z.string({ description: 'The cluster to branch: its name (orders-db) or its catalog entity (resource:default/orders-db)' }),
        name: z => z.string({ description: 'The branch’s name: lowercase letters, digits and "-", 3 to 40 characters, unique' }),
        targetTime: z =>
          z.string({ description: 'Branch the parent as it was at this ISO time (inside its recovery window); default now' }).optional(),
        ttlHours: z =>
          z.number({ description: 'Hours until the branch is deleted; default and maximum from the offering' }).int().positive().optional(),
        owner: z => z.string({ description: 'The owning group; default the parent’s owner' }).optional(),
        waitForReady: z => z.boolean({ description: 'Wait until the branch accepts connections (default true)' }).optional(),
        timeoutSeconds: z => z.number({ description: 'How long to wait for the branch (default 600)' }).int().positive().optional(),
      },
      output: {
        clusterId: z => z.string({ description: 'The branch’s Orochi cluster id' }),
        entityRef: z => z.string({ description: 'The catalog entity of the branch' }),
        parentEntityRef: z => z.string({ description: 'The catalog entity of the cluster it branches' }),
        expiresAt: z => z.string({ description: 'When Orochi deletes the branch (ISO time)' }),
        host: z => z.string({ description: 'Host of the branch’s primary (once ready)' }).optional(),
        port: z => z.number({ description: 'Port of the branch’s primary (once ready)' }).optional(),
        database: z => z.string({ description: 'The application database' }),
        user: z => z.string({ description: 'The application role' }),
        credentialsUrl: z => z.string({ description: 'The branch’s page, where the password can be revealed' }),
      },
    },
    async handler(ctx) {
      const { parent: parentReference, waitForReady = true, timeoutSeconds = 600, name, targetTime, ttlHours, owner } = ctx.input;
      // Template fields left empty arrive as empty strings: they mean the default.
      const request: BranchRequest = {
        name,
        ...(owner ? { owner } : {}),
        ...(targetTime ? { targetTime } : {}),
        ...(ttlHours !== undefined ? { ttlHours } : {}),
      };
      const token = () => userToken(deps, ctx);
      const findParent = () => findClusterByName({ api, token, reference: parentReference, field: 'parent' });

      if (ctx.isDryRun) {
        const offering = await explained('Reading the offering', async () => api.getOffering({ token: await token() }));
        const checked = branchRequestSchema(offering.branches.maxTtlHours).safeParse(request);
        if (!checked.success) throw new InputError(describeValidationError(checked.error));
        const parent = await findParent();
        if (request.targetTime) {
          const window = await explained(`Reading the recovery window of ${parent.name}`, async () =>
            api.getRecoveryWindow(parent.id, { token: await token() }),
          );
          const reason = outsideRecoveryWindow(window, request.targetTime);
          if (reason) throw new InputError(`targetTime: ${reason}`);
        }
        const hours = request.ttlHours ?? offering.branches.defaultTtlHours;
        ctx.logger.info(`Dry run: would branch ${parent.name} into ${request.name} for ${hours} h`);
        ctx.output('clusterId', DRY_RUN_CLUSTER_ID);
        ctx.output('entityRef', clusterEntityRef(request.name));
        ctx.output('parentEntityRef', clusterEntityRef(parent.name));
        ctx.output('expiresAt', new Date(Date.now() + hours * 3_600_000).toISOString());
        ctx.output('database', APP_DATABASE.name);
        ctx.output('user', APP_DATABASE.user);
        ctx.output('credentialsUrl', clusterPageUrl(deps.appBaseUrl, DRY_RUN_CLUSTER_ID));
        return;
      }

      // Saved before the branch is requested: a retry after a crash between Orochi's answer and the next
      // checkpoint recognises the branch this task made by its name, parent and creation time.
      const requestedAt = await ctx.checkpoint({
        key: `orochi.branch.create.${request.name}.requestedAt`,
        fn: async () => new Date().toISOString(),
      });
      /** The parent's branch of this name created since this task asked for it, by the task's user. */
      async function madeByThisTask(parent: Cluster, since: string): Promise<Cluster | undefined> {
        const { items } = await api.listBranches(parent.id, { token: await token() });
        return items.find(
          b =>
            b.name === request.name &&
            isBranchOf(b, parent.id) &&
            Date.parse(b.createdAt) >= Date.parse(since) - CLOCK_SKEW_MS &&
            (!ctx.user?.ref || b.createdBy === ctx.user.ref),
        );
      }

      const created: CreatedBranch = await ctx.checkpoint({
        key: `orochi.branch.create.${request.name}`,
        fn: async (): Promise<CreatedBranch> => {
          const parent = await findParent();
          return explained(`Creating branch ${request.name} of ${parent.name}`, async () => {
            try {
              const change = await api.createBranch(parent.id, request, { token: await token() });
              ctx.logger.info(`Branch ${change.cluster.name} of ${parent.name} accepted (id ${change.cluster.id}); copying`);
              return { clusterId: change.cluster.id, operationId: change.operation.id, parentName: parent.name };
            } catch (error) {
              const earlier = error instanceof ResponseError && error.statusCode === 409
                ? await madeByThisTask(parent, requestedAt)
                : undefined;
              if (!earlier) throw error;
              ctx.logger.info(`Branch ${earlier.name} was created by an earlier attempt of this task; continuing with it`);
              return {
                clusterId: earlier.id,
                ...(earlier.currentOperationId ? { operationId: earlier.currentOperationId } : {}),
                parentName: parent.name,
              };
            }
          });
        },
      });

      if (waitForReady && created.operationId) {
        await waitForOperation({ api, token, operationId: created.operationId, timeoutSeconds, logger: ctx.logger, signal: ctx.signal });
      }
      const branch = await explained('Reading the branch', async () => api.getCluster(created.clusterId, { token: await token() }));
      if (waitForReady && branch.status !== 'ready') {
        throw new Error(`Branch ${branch.name} is ${branch.status}${branch.statusMessage ? `: ${branch.statusMessage}` : ''}`);
      }
      outputCluster(ctx, branch, deps.appBaseUrl);
      ctx.output('parentEntityRef', clusterEntityRef(created.parentName));
      if (branch.expiresAt) ctx.output('expiresAt', branch.expiresAt);
      ctx.logger.info(
        `Branch ${branch.name} of ${created.parentName} is ${branch.status}; it expires at ${branch.expiresAt}; ` +
          `credentials: ${clusterPageUrl(deps.appBaseUrl, branch.id)}`,
      );
    },
  });
}
