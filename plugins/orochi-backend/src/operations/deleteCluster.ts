import { ClusterDriver } from '@orochi/backstage-plugin-orochi-node';
import { OperationHandler, OperationRun } from './OperationHandler';

/**
 * Removes everything the driver holds for the cluster (it keeps the backups for their grace period), then its
 * record. `onDeleted` runs once the driver's work is done, before the record goes (e.g. to tell the owners).
 */
export function deleteClusterHandler(deps: {
  driver: ClusterDriver;
  onDeleted?: (run: OperationRun<'delete'>) => Promise<void>;
}): OperationHandler<'delete'> {
  return {
    type: 'delete',
    // Only a delete that finished the driver's work but not the bookkeeping finds its cluster gone.
    whenClusterGone: 'succeeded',
    async run(run) {
      await deps.driver.delete(run.target, run.context);
      await deps.onDeleted?.(run);
      return { deleteCluster: true };
    },
  };
}
