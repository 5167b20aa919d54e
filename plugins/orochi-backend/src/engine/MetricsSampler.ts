import { LoggerService } from '@backstage/backend-plugin-api';
import { stringifyError } from '@backstage/errors';
import { Cluster } from '@orochi/backstage-plugin-orochi-common';
import { ClusterDriver, DriverCluster } from '@orochi/backstage-plugin-orochi-node';
import { MetricsStore } from '../database/MetricsStore';
import { OrochiStore } from '../database/OrochiStore';

/** Samples every running cluster's activity through its driver and keeps a window of history. */
export class MetricsSampler {
  constructor(
    private readonly options: {
      store: OrochiStore;
      metrics: MetricsStore;
      driver: ClusterDriver;
      logger: LoggerService;
      driverCluster(cluster: Cluster): DriverCluster;
      retentionHours: number;
    },
  ) {}

  async sampleAll(now = Date.now()): Promise<void> {
    const { store, metrics, driver, logger, driverCluster, retentionHours } = this.options;
    for (const cluster of await store.listAllClusters()) {
      if (cluster.hibernated) continue;
      try {
        const sample = await driver.readMetrics(driverCluster(cluster));
        if (sample) await metrics.addSample(cluster.id, { ...sample, sampledAt: now });
      } catch (error) {
        logger.debug(`No metrics for ${cluster.name}: ${stringifyError(error)}`);
      }
    }
    await metrics.prune(now - retentionHours * 3_600_000);
  }
}
