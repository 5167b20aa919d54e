import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';
import { deleteClusterOnce } from './deletion';
import { OrochiActionDeps, orochiApi, userToken } from './orochiApi';

/** `orochi:cluster:delete`: deletes a cluster (its servers and data) as the user running the template. */
export function createOrochiClusterDeleteAction(deps: OrochiActionDeps) {
  const api = orochiApi(deps);
  return createTemplateAction({
    id: 'orochi:cluster:delete',
    description: 'Deletes an Orochi cluster with its servers and data, and waits until it is gone.',
    supportsDryRun: true,
    examples: [
      {
        description: 'Delete a preview database created earlier in the template',
        example: yaml.stringify({
          steps: [
            {
              id: 'cleanup',
              action: 'orochi:cluster:delete',
              name: 'Delete the preview database',
              input: { clusterId: '${{ steps.database.output.clusterId }}' },
            },
          ],
        }),
      },
    ],
    schema: {
      input: {
        clusterId: z => z.string({ description: 'The Orochi cluster id' }),
        waitForDeletion: z => z.boolean({ description: 'Wait until the cluster is gone (default true)' }).optional(),
        timeoutSeconds: z => z.number({ description: 'How long to wait (default 300)' }).int().positive().optional(),
      },
    },
    async handler(ctx) {
      const { clusterId, waitForDeletion = true, timeoutSeconds = 300 } = ctx.input;
      if (ctx.isDryRun) {
        ctx.logger.info(`Dry run: would delete cluster ${clusterId}`);
        return;
      }
      await deleteClusterOnce({
        api,
        token: () => userToken(deps, ctx),
        ctx,
        checkpointKey: `orochi.cluster.delete.${clusterId}`,
        resolve: async () => ({ id: clusterId, name: clusterId }),
        waitForDeletion,
        timeoutSeconds,
      });
    },
  });
}
