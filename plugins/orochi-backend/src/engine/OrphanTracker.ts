import { LoggerService } from '@backstage/backend-plugin-api';
import { stringifyError } from '@backstage/errors';
import { ClusterDriver } from '@orochi/backstage-plugin-orochi-node';
import { metrics } from '@opentelemetry/api';
import { OrochiStore } from '../database/OrochiStore';
import { Orphan } from '@orochi/backstage-plugin-orochi-common';
import { OrphanStore } from '../database/OrphanStore';

export interface OrphanTrackerOptions {
  store: OrochiStore;
  orphans: OrphanStore;
  driver: ClusterDriver;
  driverName: string;
  logger: LoggerService;
  /**
   * How long an orphan is kept after it was first seen before it is deleted; undefined (the default) keeps
   * orphans until someone acts. A new or restored database, or a second portal on the same Kubernetes cluster,
   * would otherwise destroy real clusters.
   */
  deleteAfterMs?: number;
  clock?: () => number;
}

/**
 * Finds what the driver holds for clusters Orochi has no record of (orphans), reports them in the log, the
 * `orochi.orphans` metric and the admin API, and deletes them only once their grace period has passed.
 */
export class OrphanTracker {
  readonly #options: OrphanTrackerOptions;
  #count = 0;

  constructor(options: OrphanTrackerOptions) {
    this.#options = options;
    metrics
      .getMeter('orochi')
      .createObservableGauge('orochi.orphans', {
        description: 'Driver resources of this installation with no Orochi cluster record',
      })
      .addCallback(result => result.observe(this.#count, { driver: options.driverName }));
  }

  /** Called with every cluster id the driver holds for this installation. */
  async review(driverIds: string[]): Promise<void> {
    const { store, orphans, driverName, logger, deleteAfterMs, clock = Date.now } = this.#options;
    const unknown: string[] = [];
    for (const id of driverIds) {
      if (!(await store.getCluster(id))) unknown.push(id);
    }
    const now = clock();
    const seen = await orphans.recordSeen(driverName, unknown, now);
    this.#count = seen.length;
    for (const orphan of seen) {
      if (orphan.firstSeenAt === orphan.lastSeenAt) {
        const fate =
          deleteAfterMs === undefined
            ? 'they are kept (orochi.reconciler.orphans.deleteAfter is not set)'
            : `they are deleted after ${Math.round(deleteAfterMs / 60_000)} minutes unless a record appears`;
        logger.warn(`Found orphaned cluster resources ${orphan.clusterId}: no cluster record refers to them; ${fate}`);
      }
      if (deleteAfterMs !== undefined && now - Date.parse(orphan.firstSeenAt) >= deleteAfterMs) {
        await this.#delete(orphan);
      }
    }
  }

  list(): Promise<Orphan[]> {
    return this.#options.orphans.list();
  }

  async #delete(orphan: Orphan) {
    const { store, orphans, driver, logger } = this.#options;
    // A record that appeared meanwhile (a restored database) makes it a cluster again.
    if (await store.getCluster(orphan.clusterId)) return;
    try {
      logger.warn(`Deleting orphaned cluster resources ${orphan.clusterId}, first seen ${orphan.firstSeenAt}`);
      await driver.deleteOrphan(orphan.clusterId);
      await orphans.forget(orphan.clusterId);
      this.#count--;
    } catch (error) {
      logger.error(`Could not delete orphaned cluster resources ${orphan.clusterId}: ${stringifyError(error)}`);
    }
  }
}
