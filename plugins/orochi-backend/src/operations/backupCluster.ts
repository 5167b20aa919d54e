import { ClusterDriver } from '@orochi/backstage-plugin-orochi-node';
import { OperationHandler } from './OperationHandler';

/** Takes a base backup through the driver; the backup's id comes with the operation, so a rerun finishes it. */
export function backupClusterHandler(deps: { driver: ClusterDriver }): OperationHandler<'backup'> {
  return {
    type: 'backup',
    // A backup that failed leaves the cluster as it was; the reconciler reports it if it is not.
    clusterStatusWhenFailed: 'ready',
    async run({ target, parameters, context }) {
      await deps.driver.backup(target, { id: parameters.backupId, kind: parameters.kind }, context);
      return { clusterStatus: 'ready' };
    },
  };
}
