import { DeletedClusterStore } from '../database/DeletedClusterStore';
import { toDriverCluster } from '../engine/driverCluster';
import { ConvergeDeps, convergeToSpec } from './convergeToSpec';
import { OperationHandler } from './OperationHandler';

/**
 * Makes a new cluster's data from its source (a restore or a branch) through the driver, then converges it to
 * its spec like a create: the same ports, start, application role and standbys, with its own credentials. The
 * source may be a deleted cluster whose backups are still kept.
 */
export function restoreClusterHandler(deps: ConvergeDeps & { deletedClusters: DeletedClusterStore }): OperationHandler<'restore'> {
  return {
    type: 'restore',
    async run(run) {
      const { parameters, target, context } = run;
      const source =
        (await deps.store.getCluster(parameters.sourceClusterId)) ??
        (await deps.deletedClusters.get(parameters.sourceClusterId))?.cluster;
      if (!source) {
        throw new Error(`The source cluster ${target.spec.parent?.clusterName ?? parameters.sourceClusterId} no longer exists`);
      }
      await deps.driver.restore(target, toDriverCluster(source), parameters.target, context);
      return convergeToSpec(deps, run);
    },
  };
}
