import { ActionContext } from '@backstage/plugin-scaffolder-node';
import { OrochiApi } from '@orochi/backstage-plugin-orochi-common';
import { explained, waitForOperation } from './orochiApi';

/**
 * Deletes a cluster once per task, however often the task is retried: `resolve` finds the cluster (and refuses
 * what may not be deleted) and the deletion is requested inside one checkpoint, so a retry after it waits for
 * the same operation instead of deleting again. Then, unless told not to, waits until the cluster is gone.
 */
export async function deleteClusterOnce(options: {
  api: OrochiApi;
  token: () => Promise<string>;
  ctx: ActionContext<any, any>;
  /** Names this deletion among the task's checkpoints. */
  checkpointKey: string;
  /** The cluster to delete; runs only before the deletion was requested. */
  resolve: () => Promise<{ id: string; name: string }>;
  waitForDeletion: boolean;
  timeoutSeconds: number;
}): Promise<void> {
  const { api, token, ctx, checkpointKey, resolve, waitForDeletion, timeoutSeconds } = options;
  // The checkpoint holds the operation id alone, as it always has: a task retried across an upgrade finds it.
  const operationId = await ctx.checkpoint({
    key: checkpointKey,
    fn: async () => {
      const cluster = await resolve();
      const change = await explained(`Deleting cluster ${cluster.name}`, async () =>
        api.deleteCluster(cluster.id, { token: await token() }),
      );
      ctx.logger.info(`Deleting cluster ${cluster.name}${cluster.name === cluster.id ? '' : ` (id ${cluster.id})`}`);
      return change.operation.id;
    },
  });
  if (waitForDeletion) {
    await waitForOperation({ api, token, operationId, timeoutSeconds, logger: ctx.logger, signal: ctx.signal });
  }
}
