import { ClusterMetricsSample } from '@orochi/backstage-plugin-orochi-node';

export interface StoredSample extends ClusterMetricsSample {
  /** Epoch ms. */
  sampledAt: number;
}

/** Samples of cluster activity over time. */
export interface MetricsStore {
  addSample(clusterId: string, sample: StoredSample): Promise<void>;
  /** A cluster's samples since `sinceMs`, oldest first. */
  listSamples(clusterId: string, sinceMs: number): Promise<StoredSample[]>;
  /** Every cluster's samples since `sinceMs`, oldest first, in one read (for a job's round over all clusters). */
  listAllSamples(sinceMs: number): Promise<Map<string, StoredSample[]>>;
  /** Drops samples older than `beforeMs`, and those of clusters that no longer exist. */
  prune(beforeMs: number): Promise<void>;
}
