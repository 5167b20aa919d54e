import { InputError, NotFoundError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { Cluster } from '@orochi/backstage-plugin-orochi-common';
import yaml from 'yaml';
import { deleteClusterOnce } from './deletion';
import { findClusterByName } from './findCluster';
import { DRY_RUN_CLUSTER_ID, explained, OrochiActionDeps, orochiApi, userToken } from './orochiApi';

/** Only branches: a template that cleans up its preview database can never delete a real one by mistake. */
function requireBranch(cluster: Cluster): Cluster {
  if (cluster.parent?.kind === 'branch') return cluster;
  const what = cluster.parent ? `a cluster restored from ${cluster.parent.clusterName}` : 'a cluster of its own';
  throw new InputError(
    `${cluster.name} is not a branch (it is ${what}); orochi:branch:delete deletes branches only, and left it alone`,
  );
}

/** `orochi:branch:delete`: deletes a branch, by id or by name, and nothing that is not a branch. */
export function createOrochiBranchDeleteAction(deps: OrochiActionDeps) {
  const api = orochiApi(deps);
  return createTemplateAction({
    id: 'orochi:branch:delete',
    description:
      'Deletes an Orochi branch (a short-lived copy of a cluster) by id or name, and waits until it is gone. Refuses any cluster that is not a branch.',
    supportsDryRun: true,
    examples: [
      {
        description: 'Delete the branch created earlier in the template',
        example: yaml.stringify({
          steps: [
            {
              id: 'cleanup',
              action: 'orochi:branch:delete',
              name: 'Delete the preview database',
              input: { clusterId: '${{ steps.branch.output.clusterId }}' },
            },
          ],
        }),
      },
      {
        description: 'Delete a branch by its name, without waiting',
        example: yaml.stringify({
          steps: [
            {
              id: 'cleanup',
              action: 'orochi:branch:delete',
              name: 'Delete the preview database',
              input: { name: 'orders-db-pr-42', waitForDeletion: false },
            },
          ],
        }),
      },
    ],
    schema: {
      input: {
        clusterId: z => z.string({ description: 'The branch’s cluster id (or give its name)' }).optional(),
        name: z => z.string({ description: 'The branch’s name or entity ref, e.g. orders-db-pr-42 (or give its id)' }).optional(),
        waitForDeletion: z => z.boolean({ description: 'Wait until the branch is gone (default true)' }).optional(),
        timeoutSeconds: z => z.number({ description: 'How long to wait (default 300)' }).int().positive().optional(),
      },
    },
    async handler(ctx) {
      const { clusterId, name, waitForDeletion = true, timeoutSeconds = 300 } = ctx.input;
      if (!clusterId === !name) throw new InputError('give the branch’s clusterId or its name, one of them');
      const token = () => userToken(deps, ctx);
      const find = async () =>
        requireBranch(
          clusterId
            ? await explained(`Reading cluster ${clusterId}`, async () => api.getCluster(clusterId, { token: await token() }))
            : await findClusterByName({ api, token, reference: name!, field: 'name' }),
        );
      if (ctx.isDryRun) {
        // A branch made earlier in the same dry run does not exist; anything that does must be a branch.
        const branch = clusterId === DRY_RUN_CLUSTER_ID ? undefined : await find().catch(error => {
          if (error instanceof NotFoundError || (error instanceof Error && / refused by Orochi \(404 /.test(error.message))) return undefined;
          throw error;
        });
        ctx.logger.info(
          branch
            ? `Dry run: would delete branch ${branch.name} of ${branch.parent!.clusterName}`
            : `Dry run: would delete branch ${clusterId ?? name} once it exists`,
        );
        return;
      }
      await deleteClusterOnce({
        api,
        token,
        ctx,
        checkpointKey: `orochi.branch.delete.${clusterId ?? `name:${name}`}`,
        resolve: find,
        waitForDeletion,
        timeoutSeconds,
      });
    },
  });
}
