import { MetricsPoint } from '@orochi/backstage-plugin-orochi-common';
import { StoredSample } from '../database/MetricsStore';

/**
 * Turns samples into chart points: gauges as they are, cumulative counters as rates over the time since the
 * previous sample. A counter that went down (a server restart) starts again from zero rather than going negative.
 */
export function metricsSeries(samples: StoredSample[]): MetricsPoint[] {
  return samples.slice(1).map((sample, index) => {
    const previous = samples[index];
    const seconds = (sample.sampledAt - previous.sampledAt) / 1000;
    const rate = (now: number, before: number) => (seconds > 0 && now >= before ? (now - before) / seconds : 0);
    return {
      at: new Date(sample.sampledAt).toISOString(),
      connections: sample.connections,
      transactionsPerSecond: rate(sample.transactionsTotal, previous.transactionsTotal),
      cpuPercent: rate(sample.cpuSecondsTotal, previous.cpuSecondsTotal) * 100,
      memoryBytes: sample.memoryBytes,
      storageBytes: sample.storageBytes,
    };
  });
}
