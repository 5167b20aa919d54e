import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  /** Orochi: self-service PostgreSQL clusters. Every key has a working default for the embedded mode. */
  orochi?: {
    /** The driver that runs clusters: `local` (PostgreSQL processes on this host) or one added by a module. */
    driver?: string;
    /** Sizes offered; default small (1 CU), medium (2 CU), large (4 CU). 1 CU is 1 vCPU and 2 GiB. */
    sizes?: Array<{ name: string; title: string; cu: number }>;
    /** Plans offered; default Free, Pro, Team and Enterprise as in the Orochi Cloud roadmap. */
    plans?: Array<{
      name: string;
      title: string;
      monthlyPriceUsd?: number;
      limits: {
        maxClusters?: number;
        maxStorageGb?: number;
        computeHours?: number;
      };
      overage?: { computeHourUsd: number; storageGbUsd: number };
    }>;
    /** Regions offered; default `local`. */
    regions?: string[];
    defaults?: {
      /** Default `pro`. */
      plan?: string;
      /** Default `small`. */
      size?: string;
      /** Default: the first region. */
      region?: string;
      /** PostgreSQL major version; default the newest the driver runs. */
      version?: number;
      /** Default 1. */
      storageGb?: number;
    };
    limits?: {
      /** Default 5. */
      maxInstances?: number;
      /** Default 1. */
      minStorageGb?: number;
      /** Default 1024. */
      maxStorageGb?: number;
    };
    operations?: {
      /** How often each replica looks for operations to run; default every 2 seconds. */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /** How long a replica holds an operation without renewing it; default 30 seconds. */
      leaseSeconds?: number;
      /** Attempts before an operation fails; default 3. */
      maxAttempts?: number;
      /** How long a cluster may take to become ready before the operation fails; default 300 seconds. */
      readyTimeoutSeconds?: number;
      /** Operations each replica runs at the same time; default 4. */
      concurrency?: number;
    };
    reconciler?: {
      /** How often every cluster is observed; default every 10 seconds. */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
    };
    metrics?: {
      /** How often running clusters' activity is sampled; default every 15 seconds. */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /** How long samples are kept; default 24 hours. */
      retentionHours?: number;
    };
    /** The `local` driver: one PostgreSQL server process per instance, on this host. */
    local?: {
      /** Where clusters' data directories live; default `<working directory>/.orochi-clusters`. */
      dataDirectory?: string;
      /** Directory of initdb, pg_ctl, postgres and pg_basebackup; default the newest /usr/lib/postgresql/<v>/bin. */
      binDirectory?: string;
      /** Host name put into connection details; default `localhost`. */
      host?: string;
      /** Address the servers listen on; default `127.0.0.1`. */
      listenAddress?: string;
      /** Ports are taken from this range; default 54320–54999. */
      portRange?: { from: number; to: number };
      /** OS user that runs the servers when the backend runs as root (PostgreSQL refuses root); default `postgres`. */
      serverUser?: string;
    };
  };
}
