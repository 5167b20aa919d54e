import {
  ClusterCondition,
  ClusterEndpoint,
  ClusterSpec,
} from '@orochi/backstage-plugin-orochi-common';

/** The cluster a driver works on: its identity and the desired state. */
export interface DriverCluster {
  id: string;
  spec: ClusterSpec;
  /** Compute units of the spec's size, as recorded when the size was chosen (`spec.cu`). */
  cu: number;
}

/** How a driver reports progress while it changes a cluster; each step is recorded on the operation. */
export interface DriverOperationContext {
  /** Runs one named step of the operation and records when it started and finished. */
  step<T>(name: string, fn: () => Promise<T>): Promise<T>;
  signal: AbortSignal;
}

/** What a driver observed about one cluster. */
export interface ClusterObservation {
  /**
   * `running`: the primary accepts connections; `stopped`: servers are down, storage is kept (hibernated);
   * `starting`/`stopping`: in transition; `missing`: the driver has nothing for this cluster; `failed`: broken.
   */
  phase: 'running' | 'starting' | 'stopping' | 'stopped' | 'missing' | 'failed';
  instances: number;
  readyInstances: number;
  endpoints: ClusterEndpoint[];
  conditions: ClusterCondition[];
  message?: string;
  /** Where the cluster runs, when the driver places it in Kubernetes. */
  kubernetes?: { namespace: string; name: string };
}

/** What a driver can do. */
export interface DriverCapabilities {
  /** PostgreSQL major versions it can run, newest last. */
  versions: number[];
  /** Whether it can put a connection pooler in front of a cluster. */
  pooling: boolean;
}

/** One sample of a running cluster's activity. Totals are cumulative; readers turn them into rates. */
export interface ClusterMetricsSample {
  /** Client sessions, not counting Orochi's own monitoring sessions. */
  connections: number;
  transactionsTotal: number;
  cpuSecondsTotal: number;
  memoryBytes: number;
  storageBytes: number;
}

/** Connection details of the application role, as stored by the driver (never in Orochi's tables). */
export interface ClusterCredentials {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
}

/**
 * Where clusters really run. Every method is idempotent: the operation engine may call it again after a crash
 * or a retry, and it must converge to the same result.
 */
export interface ClusterDriver {
  capabilities(): Promise<DriverCapabilities>;
  /** Creates the cluster or converges it to `cluster.spec` (size, instances, storage, hibernation). */
  apply(cluster: DriverCluster, ctx: DriverOperationContext): Promise<void>;
  /** Removes everything the driver created for the cluster. */
  delete(cluster: DriverCluster, ctx: DriverOperationContext): Promise<void>;
  observe(cluster: DriverCluster): Promise<ClusterObservation>;
  readCredentials(cluster: DriverCluster): Promise<ClusterCredentials>;
  /** A sample of the primary's activity; undefined when there is none (servers down, or no metrics source). */
  readMetrics(cluster: DriverCluster): Promise<ClusterMetricsSample | undefined>;
  /**
   * Drivers that watch their clusters call `onChange` with a cluster's id when it changed, so Orochi observes it
   * at once rather than on its next round.
   */
  watch?(onChange: (clusterId: string) => void): void;
  /**
   * Ids of every cluster the driver holds anything for in this installation (`orochi.installationId`), so
   * orphans can be found; never another installation's.
   */
  listClusterIds(): Promise<string[]>;
  /**
   * Removes what the driver holds for a cluster of this installation that Orochi has no record of; refuses, or
   * touches nothing of, another installation's. Called only after the configured grace period.
   */
  deleteOrphan(id: string): Promise<void>;
}
