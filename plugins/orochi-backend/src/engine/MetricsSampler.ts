import { LoggerService } from '@backstage/backend-plugin-api';
import { stringifyError } from '@backstage/errors';
import { ClusterDriver } from '@orochi/backstage-plugin-orochi-node';
import { MetricsStore } from '../database/MetricsStore';
import { OrochiStore } from '../database/OrochiStore';
import { toDriverCluster } from './driverCluster';

/** Samples every running cluster's activity through its driver and keeps a window of history. */
export class MetricsSampler {
  constructor(
    private readonly options: {
      store: OrochiStore;
      metrics: MetricsStore;
      driver: ClusterDriver;
      logger: LoggerService;
      retentionHours: number;
    },
  ) {}

  async sampleAll(now = Date.now()): Promise<void> {
    const { store, metrics, driver, logger, retentionHours } = this.options;
    for (const cluster of await store.listAllClusters()) {
      if (cluster.hibernated) continue;
      try {
        const sample = await driver.readMetrics(toDriverCluster(cluster));
        if (sample) await metrics.addSample(cluster.id, { ...sample, sampledAt: now });
      } catch (error) {
        logger.debug(`No metrics for ${cluster.name}: ${stringifyError(error)}`);
      }
    }
    await metrics.prune(now - retentionHours * 3_600_000);
  }
}
