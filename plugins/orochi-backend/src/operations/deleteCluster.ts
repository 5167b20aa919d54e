import { ClusterDriver } from '@orochi/backstage-plugin-orochi-node';
import { OperationHandler } from './OperationHandler';

/** Removes everything the driver holds for the cluster, then its record. */
export function deleteClusterHandler(deps: { driver: ClusterDriver }): OperationHandler<'delete'> {
  return {
    type: 'delete',
    // Only a delete that finished the driver's work but not the bookkeeping finds its cluster gone.
    whenClusterGone: 'succeeded',
    async run({ target, context }) {
      await deps.driver.delete(target, context);
      return { deleteCluster: true };
    },
  };
}
