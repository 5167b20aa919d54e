import { LoggerService } from '@backstage/backend-plugin-api';
import { stringifyError } from '@backstage/errors';
import { Cluster } from '@orochi/backstage-plugin-orochi-common';
import { ClusterDriver, DriverCluster } from '@orochi/backstage-plugin-orochi-node';
import { OrochiStore } from '../database/OrochiStore';
import { statusFromObservation, toObserved } from './observation';

/** Starts the operation that brings a cluster back to its desired state; what the service does for the API. */
export type RepairCluster = (cluster: Cluster) => Promise<void>;

/**
 * Observes every cluster through its driver and keeps status, endpoints and conditions current. Also what
 * adopts clusters after a backend restart: servers that should run but do not get a wake operation, and what
 * the driver holds for clusters Orochi no longer knows (orphans) is removed.
 */
export class Reconciler {
  readonly #store: OrochiStore;
  readonly #driver: ClusterDriver;
  readonly #logger: LoggerService;
  readonly #driverCluster: (cluster: Cluster) => DriverCluster;
  readonly #repair: RepairCluster;

  constructor(options: {
    store: OrochiStore;
    driver: ClusterDriver;
    logger: LoggerService;
    driverCluster(cluster: Cluster): DriverCluster;
    repair: RepairCluster;
  }) {
    this.#store = options.store;
    this.#driver = options.driver;
    this.#logger = options.logger;
    this.#driverCluster = options.driverCluster;
    this.#repair = options.repair;
  }

  async reconcileAll(): Promise<void> {
    const clusters = await this.#store.listAllClusters();
    for (const cluster of clusters) {
      try {
        await this.reconcile(cluster);
      } catch (error) {
        this.#logger.warn(`Could not reconcile ${cluster.name}: ${stringifyError(error)}`);
      }
    }
    await this.#removeOrphans(new Set(clusters.map(c => c.id)));
  }

  /** Observes one cluster now, e.g. when its driver saw it change. */
  async reconcileById(clusterId: string): Promise<void> {
    const cluster = await this.#store.getCluster(clusterId);
    if (!cluster) return;
    try {
      await this.reconcile(cluster);
    } catch (error) {
      this.#logger.warn(`Could not reconcile ${cluster.name}: ${stringifyError(error)}`);
    }
  }

  async reconcile(cluster: Cluster): Promise<void> {
    const { id } = cluster;
    const observation = await this.#driver.observe(this.#driverCluster(cluster));
    if (cluster.currentOperationId) {
      // The operation owns the status; keep endpoints and conditions current meanwhile.
      await this.#store.updateObserved(id, toObserved(observation));
      return;
    }
    const { repair, ...status } = statusFromObservation(cluster.hibernated, observation);
    await this.#store.updateObserved(id, toObserved(observation), status);
    const current = repair && (await this.#store.getCluster(id));
    if (current && !current.currentOperationId) {
      this.#logger.info(`${cluster.name}: ${status.message}; starting an operation to repair it`);
      await this.#repair(current);
    }
  }

  async #removeOrphans(known: Set<string>) {
    for (const id of await this.#driver.listClusterIds()) {
      if (!known.has(id) && !(await this.#store.getCluster(id))) {
        this.#logger.warn(`Removing orphaned cluster data ${id}: no cluster record refers to it`);
        await this.#driver.deleteOrphan(id);
      }
    }
  }
}
