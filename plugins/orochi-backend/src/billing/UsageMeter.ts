import { LoggerService } from '@backstage/backend-plugin-api';
import { stringifyError } from '@backstage/errors';
import { Cluster } from '@orochi/backstage-plugin-orochi-common';
import { ClusterDriver, StoredBytes } from '@orochi/backstage-plugin-orochi-node';
import { OrochiStore } from '../database/OrochiStore';
import { UsageStore } from '../database/UsageStore';
import { meterInterval, UsageSample, UsageWatermark } from './usageIntervals';

const GIB = 2 ** 30;

/**
 * One metering round over every cluster: what each accrued since the last round (compute-unit seconds, storage
 * and backup byte-hours, branch seconds), written with the new watermarks in one transaction, so a crash loses or
 * repeats nothing.
 */
export class UsageMeter {
  readonly #store: OrochiStore;
  readonly #usage: UsageStore;
  readonly #driver: ClusterDriver;
  readonly #logger: LoggerService;
  readonly #clock: () => number;

  constructor(options: { store: OrochiStore; usage: UsageStore; driver: ClusterDriver; logger: LoggerService; clock?: () => number }) {
    this.#store = options.store;
    this.#usage = options.usage;
    this.#driver = options.driver;
    this.#logger = options.logger;
    this.#clock = options.clock ?? Date.now;
  }

  async meterAll(): Promise<{ clusters: number; samples: number }> {
    const clusters = await this.#store.listAllClusters();
    const previous = await this.#usage.watermarks();
    const stored = new Map<string, StoredBytes>();
    for (const cluster of clusters) stored.set(cluster.id, await this.#storedBytes(cluster));
    const now = this.#clock();
    const samples: UsageSample[] = [];
    const watermarks: UsageWatermark[] = [];
    for (const cluster of clusters) {
      const metered = meterInterval(cluster, previous.get(cluster.id), now, stored.get(cluster.id)!);
      samples.push(...metered.samples);
      watermarks.push(metered.watermark);
    }
    const present = new Set(clusters.map(c => c.id));
    const gone = [...previous.keys()].filter(id => !present.has(id));
    await this.#usage.recordRound({ samples, watermarks, gone });
    return { clusters: clusters.length, samples: samples.length };
  }

  /** Measured where the driver can; otherwise the requested volumes and the backups' reported sizes. */
  async #storedBytes(cluster: Cluster): Promise<StoredBytes> {
    const driverCluster = { id: cluster.id, spec: cluster, cu: cluster.cu };
    try {
      if (this.#driver.measureStorage) return await this.#driver.measureStorage(driverCluster);
      const backups = cluster.backups.enabled ? await this.#driver.listBackups(driverCluster) : [];
      return {
        data: cluster.storageGb * GIB * cluster.instances,
        backups: backups.reduce((sum, b) => sum + (b.sizeBytes ?? 0), 0),
      };
    } catch (error) {
      this.#logger.warn(`Could not measure the storage of ${cluster.name}; metering its requested size: ${stringifyError(error)}`);
      return { data: cluster.storageGb * GIB * cluster.instances, backups: 0 };
    }
  }
}
