import { toDriverCluster } from '../engine/driverCluster';
import { ConvergeDeps, convergeToSpec } from './convergeToSpec';
import { OperationHandler } from './OperationHandler';

/**
 * Makes a new cluster's data from its source (a restore or a branch) through the driver, then converges it to
 * its spec like a create: the same ports, start, application role and standbys, with its own credentials.
 */
export function restoreClusterHandler(deps: ConvergeDeps): OperationHandler<'restore'> {
  return {
    type: 'restore',
    async run(run) {
      const { parameters, target, context } = run;
      const source = await deps.store.getCluster(parameters.sourceClusterId);
      if (!source) {
        throw new Error(`The source cluster ${target.spec.parent?.clusterName ?? parameters.sourceClusterId} no longer exists`);
      }
      await deps.driver.restore(target, toDriverCluster(source), parameters.target, context);
      return convergeToSpec(deps, run);
    },
  };
}
