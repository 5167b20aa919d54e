import {
  Backup,
  BackupKind,
  ClusterCondition,
  ClusterEndpoint,
  ClusterSpec,
  RecoveryWindow,
  RestoreTarget,
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
  /**
   * Whether it takes scheduled backups itself from `spec.backups` (CloudNativePG's ScheduledBackup); otherwise
   * Orochi's backup job starts them on the schedule.
   */
  schedulesBackups: boolean;
}

/** A backup as a driver reports it; Orochi adds nothing but the cluster id. */
export type DriverBackup = Omit<Backup, 'clusterId'>;

/** One sample of a running cluster's activity. Totals are cumulative; readers turn them into rates. */
export interface ClusterMetricsSample {
  /** Client sessions, not counting Orochi's own monitoring sessions. */
  connections: number;
  /**
   * What keeps a cluster awake, as Neon counts it: client sessions running a query or holding a transaction open
   * (idle in transaction counts), and replication and autovacuum; never Orochi's own sessions.
   */
  activeSessions: number;
  /** The newest moment a client session finished something (when it went idle), if any is open. */
  lastActivityAt?: string;
  /** Commits and rollbacks in the application databases (not Orochi's monitoring queries). */
  transactionsTotal: number;
  cpuSecondsTotal: number;
  memoryBytes: number;
  storageBytes: number;
}

/** What a cluster keeps on disk, in bytes: its data (every instance) and its backups. */
export interface StoredBytes {
  data: number;
  backups: number;
}

/** Why a connection did not wake its cluster, in words for the client (a user hibernated it, say). */
export class WakeRefusedError extends Error {
  override name = 'WakeRefusedError';
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
  /** Removes everything the driver created for the cluster but its backups, which purgeDeletedClusterBackups removes. */
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
   * Drivers whose clusters keep their address while stopped (the local driver's connection proxy) call `wake`
   * when a client connects to a stopped cluster, and hold the client until it answers: once the cluster accepts
   * connections, or with a {@link WakeRefusedError} whose message the client reads.
   */
  onConnectWhileStopped?(wake: (clusterId: string, signal: AbortSignal) => Promise<void>): void;
  /** Releases what the driver holds in this process (listening sockets, say) when the backend stops. */
  close?(): Promise<void>;
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

  /**
   * Takes a base backup named `backup.id` of the running cluster and waits until it is complete; a repeated
   * call with the same id answers the backup already taken (or finishes it) rather than taking another.
   */
  backup(cluster: DriverCluster, backup: { id: string; kind: BackupKind }, ctx: DriverOperationContext): Promise<DriverBackup>;
  /**
   * What the cluster stores, for metering. Drivers without it are metered on the volumes they request (storage
   * per instance × instances) and on their backups' reported sizes.
   */
  measureStorage?(cluster: DriverCluster): Promise<StoredBytes>;
  /** The cluster's backups, newest first, including those of a deleted cluster still kept. */
  listBackups(cluster: DriverCluster): Promise<DriverBackup[]>;
  /** The moments the cluster can be restored to, from its backups and its archived WAL. */
  recoveryWindow(cluster: DriverCluster): Promise<RecoveryWindow>;
  /**
   * Makes the data of `cluster`, which the driver does not hold yet, from `source` at `target`: `now` copies the
   * running source, the other targets recover from its backups and WAL archive and promote at the target. The
   * new cluster gets its own credentials and its own archive. Idempotent: after a crash it finishes what it
   * started. `apply` converges the cluster to its spec afterwards.
   */
  restore(cluster: DriverCluster, source: DriverCluster, target: RestoreTarget, ctx: DriverOperationContext): Promise<void>;
  /**
   * Removes the cluster's backups and archived WAL that its retention (`spec.backups.retentionDays`) no longer
   * needs, never what a restore to a moment inside the window needs. Answers the ids of removed backups.
   */
  applyBackupRetention(cluster: DriverCluster): Promise<string[]>;
  /**
   * `delete` keeps a cluster's backups; this removes those of clusters deleted before `deletedBefore`, and
   * answers the ids of the clusters whose backups it removed.
   */
  purgeDeletedClusterBackups(deletedBefore: Date): Promise<string[]>;
}
