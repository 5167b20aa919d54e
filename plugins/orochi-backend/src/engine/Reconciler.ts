import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, stringifyError } from '@backstage/errors';
import {
  AUTOMATIC_REQUESTERS,
  Cluster,
  clusterSpecOf,
  Operation,
} from '@orochi/backstage-plugin-orochi-common';
import { ClusterDriver } from '@orochi/backstage-plugin-orochi-node';
import { OrochiStore } from '../database/OrochiStore';
import { ClusterOperations } from '../operations/ClusterOperations';
import { toDriverCluster } from './driverCluster';
import { statusFromObservation, toObserved } from './observation';
import { OrphanTracker } from './OrphanTracker';

export interface ReconcilerOptions {
  store: OrochiStore;
  driver: ClusterDriver;
  operations: ClusterOperations;
  orphans: OrphanTracker;
  logger: LoggerService;
  /** The wait after a repair before the next one, doubled for each repair in a row; default 30 s. */
  repairBackoffMs?: number;
  /** The longest wait between repairs; default 30 minutes. */
  maxRepairBackoffMs?: number;
  clock?: () => number;
}

/**
 * Observes every cluster through its driver and keeps status, endpoints and conditions current. Also what
 * adopts clusters after a backend restart: servers that should run but do not get a wake operation (backing
 * off when they keep failing), and what the driver holds for clusters Orochi does not know is reported as an
 * orphan, never removed on sight.
 */
export class Reconciler {
  readonly #options: Required<ReconcilerOptions>;

  constructor(options: ReconcilerOptions) {
    this.#options = {
      repairBackoffMs: 30_000,
      maxRepairBackoffMs: 30 * 60_000,
      clock: Date.now,
      ...options,
    };
  }

  async reconcileAll(): Promise<void> {
    const { store, driver, orphans, logger } = this.#options;
    const clusters = await store.listAllClusters();
    for (const cluster of clusters) {
      await this.reconcileById(cluster.id);
    }
    try {
      await orphans.review(await driver.listClusterIds());
    } catch (error) {
      logger.warn(`Could not look for orphaned clusters: ${stringifyError(error)}`);
    }
  }

  /** Observes one cluster now, e.g. when its driver saw it change. Never rejects: drivers call it and move on. */
  async reconcileById(clusterId: string): Promise<void> {
    try {
      // Read as late as possible, so a pass never acts on what it read long before.
      const cluster = await this.#options.store.getCluster(clusterId);
      if (cluster) await this.reconcile(cluster);
    } catch (error) {
      this.#options.logger.warn(`Could not reconcile cluster ${clusterId}: ${stringifyError(error)}`);
    }
  }

  async reconcile(cluster: Cluster): Promise<void> {
    const { store, driver, logger } = this.#options;
    const observation = await driver.observe(toDriverCluster(cluster));
    if (cluster.currentOperationId) {
      // The operation owns the status; keep endpoints and conditions current meanwhile.
      await store.updateObserved(cluster.id, toObserved(observation));
      return;
    }
    const { repair, ...status } = statusFromObservation(cluster, observation);
    // Only if nothing changed the cluster while it was observed (a hibernate that just started, say).
    await store.updateObserved(cluster.id, toObserved(observation), { ...status, ifUpdatedAt: cluster.updatedAt });
    if (!repair) return;
    // The decision stands only for the cluster as observed: one hibernated or woken meanwhile waits for the next pass.
    const current = await store.getCluster(cluster.id);
    if (!current || current.currentOperationId || current.hibernated !== cluster.hibernated) return;
    await this.#repair(current, status.message ?? 'the servers disagree with the spec', logger);
  }

  /**
   * Starts the operation that brings the servers back to the spec. After a failed operation it waits for a
   * person instead, and servers that keep stopping (a crash loop) are repaired ever less often.
   */
  async #repair(cluster: Cluster, reason: string, logger: LoggerService) {
    const { store, operations } = this.#options;
    const recent = await store.listClusterOperations(cluster.id, 10);
    if (recent[0]?.state === 'failed') {
      logger.debug(`Not repairing ${cluster.name}: its last operation failed`);
      return;
    }
    const waitUntil = this.#nextRepairAllowedAt(recent);
    if (waitUntil > this.#options.clock()) {
      logger.debug(`Not repairing ${cluster.name} before ${new Date(waitUntil).toISOString()}: repaired recently`);
      return;
    }
    const type = cluster.hibernated ? 'hibernate' : 'wake';
    try {
      const started = await operations.startIfUnchanged(cluster, { type, parameters: {} }, clusterSpecOf(cluster), {
        requestedBy: AUTOMATIC_REQUESTERS.reconciler,
        reason,
      });
      if (started) logger.info(`${cluster.name}: ${reason}; started a ${type} operation to repair it`);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      logger.debug(`Not repairing ${cluster.name}: an operation is in progress`);
    }
  }

  /** Repairs in a row (newest first, until one a person started) double the wait after the last of them. */
  #nextRepairAllowedAt(recent: Operation[]): number {
    const { repairBackoffMs, maxRepairBackoffMs } = this.#options;
    let repairs = 0;
    for (const operation of recent) {
      if (operation.requestedBy !== AUTOMATIC_REQUESTERS.reconciler) break;
      repairs++;
    }
    if (repairs === 0) return 0;
    const last = Date.parse(recent[0].finishedAt ?? recent[0].updatedAt);
    return last + Math.min(repairBackoffMs * 2 ** (repairs - 1), maxRepairBackoffMs);
  }
}
