import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  APP_DATABASE,
  Cluster,
  clusterEntityRef,
  CreateClusterRequest,
  createClusterRequestSchema,
  describeValidationError,
} from '@orochi/backstage-plugin-orochi-common';
import { outputCluster } from './clusterOutputs';
import { examples } from './createCluster.examples';
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
 * `orochi:cluster:create`: creates a cluster as the user running the template and, unless told not to, waits
 * until it is ready, logging each provisioning step. A retried task creates nothing twice.
 */
export function createOrochiClusterCreateAction(deps: OrochiActionDeps) {
  const api = orochiApi(deps);
  return createTemplateAction({
    id: 'orochi:cluster:create',
    description:
      'Creates an Orochi PostgreSQL cluster owned by a group, waits until it is ready, and outputs where to connect. Never outputs the password: it is revealed on the cluster page to those allowed.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        name: z => z.string({ description: 'Cluster name: lowercase letters, digits and "-", 3 to 40 characters, unique' }),
        owner: z => z.string({ description: 'The owning group, e.g. team-payments or group:default/team-payments' }),
        system: z => z.string({ description: 'The system the cluster belongs to' }).optional(),
        size: z => z.string({ description: 'Size from the offering (GET /api/orochi/config), e.g. small, medium, large' }).optional(),
        region: z => z.string({ description: 'Region from the offering' }).optional(),
        instances: z => z.number({ description: '1 for a primary alone; N adds N-1 streaming standbys' }).int().optional(),
        storageGb: z => z.number({ description: 'Storage in GB' }).int().optional(),
        version: z => z.number({ description: 'PostgreSQL major version' }).int().optional(),
        backups: z => z.boolean({ description: 'Daily backups kept for 7 days' }).optional(),
        waitForReady: z => z.boolean({ description: 'Wait until the cluster accepts connections (default true)' }).optional(),
        timeoutSeconds: z => z.number({ description: 'How long to wait for the cluster (default 600)' }).int().positive().optional(),
      },
      output: {
        clusterId: z => z.string({ description: 'The Orochi cluster id' }),
        entityRef: z => z.string({ description: 'The catalog entity of the cluster' }),
        host: z => z.string({ description: 'Host of the primary (once ready)' }).optional(),
        port: z => z.number({ description: 'Port of the primary (once ready)' }).optional(),
        database: z => z.string({ description: 'The application database' }),
        user: z => z.string({ description: 'The application role' }),
        credentialsUrl: z => z.string({ description: 'Where the password can be revealed' }),
      },
    },
    async handler(ctx) {
      const { waitForReady = true, timeoutSeconds = 600, backups, ...fields } = ctx.input;
      const request: CreateClusterRequest = {
        ...fields,
        ...(backups !== undefined ? { backups: { enabled: backups } } : {}),
      };
      const token = () => userToken(deps, ctx);

      if (ctx.isDryRun) {
        await checkAgainstOffering(request, await api.getOffering({ token: await token() }));
        ctx.logger.info(`Dry run: would create cluster ${request.name} owned by ${request.owner}`);
        ctx.output('clusterId', DRY_RUN_CLUSTER_ID);
        ctx.output('entityRef', clusterEntityRef(request.name));
        ctx.output('database', APP_DATABASE.name);
        ctx.output('user', APP_DATABASE.user);
        ctx.output('credentialsUrl', clusterPageUrl(deps.appBaseUrl, DRY_RUN_CLUSTER_ID));
        return;
      }

      const created = await ctx.checkpoint({
        key: `orochi.cluster.create.${request.name}`,
        fn: async () => {
          // The idempotency key covers a crash between Orochi's answer and the checkpoint being saved.
          const change = await explained(`Creating cluster ${request.name}`, async () =>
            api.createCluster(request, { token: await token(), idempotencyKey: `scaffolder:${ctx.task.id}:${request.name}` }),
          );
          ctx.logger.info(`Cluster ${change.cluster.name} accepted (id ${change.cluster.id}); provisioning`);
          return { clusterId: change.cluster.id, operationId: change.operation.id };
        },
      });

      if (waitForReady) {
        await waitForOperation({ api, token, operationId: created.operationId, timeoutSeconds, logger: ctx.logger, signal: ctx.signal });
      }
      const cluster: Cluster = await explained('Reading the cluster', async () =>
        api.getCluster(created.clusterId, { token: await token() }),
      );
      outputCluster(ctx, cluster, deps.appBaseUrl);
      ctx.logger.info(`Cluster ${cluster.name} is ${cluster.status}; credentials: ${clusterPageUrl(deps.appBaseUrl, cluster.id)}`);
    },
  });
}

/** What a dry run can check without creating anything: the request, by the same schema Orochi checks it with. */
async function checkAgainstOffering(
  request: CreateClusterRequest,
  offering: Awaited<ReturnType<ReturnType<typeof orochiApi>['getOffering']>>,
) {
  const checked = createClusterRequestSchema(offering).safeParse(request);
  if (!checked.success) throw new InputError(describeValidationError(checked.error));
}
