import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';
import { explained, OrochiActionDeps, orochiApi, userToken, waitForOperation } from './orochiApi';

/** `orochi:cluster:wait`: waits until a cluster's current operation has ended and the cluster is ready. */
export function createOrochiClusterWaitAction(deps: OrochiActionDeps) {
  const api = orochiApi(deps);
  return createTemplateAction({
    id: 'orochi:cluster:wait',
    description: 'Waits until an Orochi cluster is ready, logging the progress of its current operation.',
    supportsDryRun: true,
    examples: [
      {
        description: 'Wait for a cluster created earlier without waiting',
        example: yaml.stringify({
          steps: [
            {
              id: 'ready',
              action: 'orochi:cluster:wait',
              name: 'Wait for the database',
              input: { clusterId: '${{ steps.database.output.clusterId }}', timeoutSeconds: 900 },
            },
          ],
        }),
      },
    ],
    schema: {
      input: {
        clusterId: z => z.string({ description: 'The Orochi cluster id' }),
        timeoutSeconds: z => z.number({ description: 'How long to wait (default 600)' }).int().positive().optional(),
      },
      output: {
        status: z => z.string({ description: 'The cluster status at the end' }),
      },
    },
    async handler(ctx) {
      const { clusterId, timeoutSeconds = 600 } = ctx.input;
      const token = () => userToken(deps, ctx);
      if (ctx.isDryRun) {
        ctx.logger.info(`Dry run: would wait for cluster ${clusterId}`);
        ctx.output('status', 'ready');
        return;
      }
      const get = () => explained('Reading the cluster', async () => api.getCluster(clusterId, { token: await token() }));
      let cluster = await get();
      if (cluster.currentOperationId) {
        await waitForOperation({ api, token, operationId: cluster.currentOperationId, timeoutSeconds, logger: ctx.logger, signal: ctx.signal });
        cluster = await get();
      }
      if (cluster.status !== 'ready') {
        throw new Error(`Cluster ${cluster.name} is ${cluster.status}${cluster.statusMessage ? `: ${cluster.statusMessage}` : ''}`);
      }
      ctx.logger.info(`Cluster ${cluster.name} is ready`);
      ctx.output('status', cluster.status);
    },
  });
}
