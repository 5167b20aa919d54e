import { ClusterDriver, ClusterObservation, DriverCluster } from '@orochi/backstage-plugin-orochi-node';
import { OrochiStore } from '../database/OrochiStore';
import { stoppedStatus, toObserved } from '../engine/observation';
import { OperationHandler, OperationResult, OperationRun } from './OperationHandler';

/** What the handlers that converge a cluster to its spec need. */
export interface ConvergeDeps {
  driver: ClusterDriver;
  store: OrochiStore;
  readyTimeoutSeconds: number;
  /** How long to wait between observations while a cluster settles. */
  pollMs?: number;
}

/**
 * The handlers of create, update, hibernate and wake. Each of them converges the cluster to its spec; they
 * differ in the change to the spec that started them (recorded in their parameters) and the status a cluster
 * shows meanwhile.
 */
export function convergingHandlers(
  deps: ConvergeDeps,
): OperationHandler<'create' | 'update' | 'hibernate' | 'suspend' | 'wake'>[] {
  return (['create', 'update', 'hibernate', 'suspend', 'wake'] as const).map(type => ({
    type,
    run: run => convergeToSpec(deps, run),
  }));
}

/**
 * Applies the cluster's spec through the driver and waits until the driver sees it settled: running with every
 * instance ready, or stopped when hibernated. What create, update, hibernate and wake have in common.
 */
export async function convergeToSpec(
  deps: ConvergeDeps,
  { cluster, target, context }: OperationRun<any>,
): Promise<OperationResult> {
  await deps.driver.apply(target, context);
  const observation = await context.step(cluster.hibernated ? 'Confirm servers stopped' : 'Wait until ready', () =>
    waitUntilSettled(deps, target, context.signal),
  );
  await deps.store.updateObserved(cluster.id, toObserved(observation));
  return { clusterStatus: cluster.hibernated ? stoppedStatus(cluster) : 'ready' };
}

async function waitUntilSettled(
  { driver, readyTimeoutSeconds, pollMs = 500 }: ConvergeDeps,
  target: DriverCluster,
  signal: AbortSignal,
): Promise<ClusterObservation> {
  const deadline = Date.now() + readyTimeoutSeconds * 1000;
  for (;;) {
    const observation = await driver.observe(target);
    const settled = target.spec.hibernated
      ? observation.phase === 'stopped'
      : observation.phase === 'running' && observation.readyInstances >= target.spec.instances;
    if (settled) return observation;
    if (Date.now() > deadline) {
      throw new Error(
        `The cluster did not settle within ${readyTimeoutSeconds}s: ${observation.phase}, ` +
          `${observation.readyInstances} of ${target.spec.instances} instances ready`,
      );
    }
    await new Promise(r => setTimeout(r, pollMs));
    signal.throwIfAborted();
  }
}
