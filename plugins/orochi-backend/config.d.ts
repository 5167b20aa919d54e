import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';
import { HumanDuration } from '@backstage/types';

export interface Config {
  /** Orochi: self-service PostgreSQL clusters. Every key has a working default for the embedded mode. */
  orochi?: {
    /** The driver that runs clusters: `local` (PostgreSQL processes on this host) or one added by a module. */
    driver?: string;
    /**
     * Names this portal's clusters in the driver (a label on Kubernetes objects, a mark in local data
     * directories), so two portals sharing a Kubernetes cluster never see each other's; default `default`. Up to
     * 32 lowercase letters, digits and "-".
     */
    installationId?: string;
    /**
     * Services that may do more than read. Any service token may read clusters (the catalog provider does);
     * changing clusters and revealing credentials are for users, decided by the permission policy, and for the
     * services named here with the Orochi permissions each may use (e.g. `orochi.cluster.create`,
     * `orochi.cluster.credentials.read`). A service's subject is its static token's `subject`, or `plugin:<id>`.
     */
    serviceAccess?: Array<{ subject: string; permissions: string[] }>;
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
      /** Finished operations are deleted this many days after they finished; default 30. */
      retentionDays?: number;
      /** How often old operations are pruned (once across replicas); default hourly. */
      pruneSchedule?: SchedulerServiceTaskScheduleDefinitionConfig;
    };
    reconciler?: {
      /** How often every cluster is observed; default every 10 seconds. */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      orphans?: {
        /**
         * What the driver holds for this installation with no cluster record (after a database restore, say) is
         * reported, and deleted only this long after it was first seen, e.g. `{ days: 7 }`. Unset (the
         * default): never deleted by Orochi.
         */
        deleteAfter?: HumanDuration | string;
      };
    };
    metrics?: {
      /** How often running clusters' activity is sampled; default every 15 seconds. */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /** How long samples are kept; default 24 hours. */
      retentionHours?: number;
    };
    backups?: {
      /**
       * How often Orochi starts the scheduled backups that are due (each cluster's `backups.schedule`), for drivers
       * that do not schedule backups themselves (the local driver); default every minute, once across replicas.
       */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /** How often backups outside each cluster's retention are removed; default hourly. */
      retentionSchedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /**
       * How long a deleted cluster's backups are kept, so it can still be restored; default `{ days: 7 }`, as
       * Crunchy Bridge and Aiven keep them.
       */
      deletedClusterRetention?: HumanDuration | string;
    };
    /**
     * The autoscaler: every round (default every 30 s, once across replicas) each cluster with autoscaling enabled
     * is decided from its metrics over `window`, one size step at a time within its range and its plan. Defaults
     * from the seeds' design.
     */
    autoscaling?: {
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /** Target CPU use, as a fraction of the size's vCPUs; default 0.7. */
      cpuTarget?: number;
      /** Target memory use, as a fraction of the size's memory; default 0.8. */
      memoryTarget?: number;
      /** Scale up when a use is above its target times this; default 1.1. */
      scaleUpAbove?: number;
      /** Scale down when every use is below its target times this; default 0.5. */
      scaleDownBelow?: number;
      /** After a scale, how long before the next scale up; default `{ seconds: 60 }`. */
      scaleUpCooldown?: HumanDuration | string;
      /** After a scale, how long before the next scale down; default `{ seconds: 300 }`. */
      scaleDownCooldown?: HumanDuration | string;
      /** How far back a round looks at metrics; default `{ seconds: 60 }`. */
      window?: HumanDuration | string;
      /** Growing volumes of clusters with autoscaling enabled. */
      storage?: {
        /** Grow when the volume is fuller than this fraction; default 0.8. */
        threshold?: number;
        /** By this fraction of its size; default 0.25. */
        step?: number;
        /** And by at least this many GB; default 1. */
        minStepGb?: number;
        /** At most once per this; default `{ seconds: 300 }`. */
        cooldown?: HumanDuration | string;
      };
      /** How long decisions are kept; default `{ days: 7 }`. */
      decisionRetention?: HumanDuration | string;
    };
    /** Scale to zero: suspending clusters idle for their `scaleToZero.idleMinutes`. */
    scaleToZero?: {
      /** How often idle clusters are looked for; default every minute, once across replicas. */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /**
       * How long a connection proxy's wake-on-connect request waits for a suspended cluster to accept connections
       * before it answers 503; default `{ seconds: 30 }`.
       */
      wakeTimeout?: HumanDuration | string;
    };
    branches?: {
      /** A branch's time to live when the request names none, in hours; default 24. */
      defaultTtlHours?: number;
      /** The longest time to live a branch may have, in hours; default 720 (30 days, as Neon). */
      maxTtlHours?: number;
      /** How often expired branches are deleted and owners warned; default every minute, once across replicas. */
      expirySchedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /** How long before a branch expires its owners get a notification; default `{ hours: 1 }`. */
      warnBefore?: HumanDuration | string;
    };
    /**
     * Metering and billing. Usage is metered without a billing provider; a module such as the Stripe module
     * (`@orochi/backstage-plugin-orochi-backend-module-stripe`) bills it.
     */
    billing?: {
      /** How often every cluster's usage is metered; default every minute, once across replicas. */
      usageSchedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /** How often complete hours are rolled up (and queued for the billing provider); default every 5 minutes. */
      rollupSchedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /** How often queued meter events are sent to the billing provider; default every minute. */
      deliverySchedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /** How often plan limits (Free compute hours) and budgets are checked; default every minute. */
      limitsSchedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /** How long raw usage samples are kept once rolled up; default `{ days: 7 }`. */
      rawRetention?: HumanDuration | string;
      /** How long hourly usage is kept; default `{ months: 13 }`. */
      retention?: HumanDuration | string;
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
      /**
       * `auto` (default): each server gets its cluster's compute units of CPU through the host's cgroups (v2, or
       * v1's cpu controller) where the backend may write them, else the start logs why CPU is not limited; `off`.
       */
      cpuLimits?: 'auto' | 'off';
    };
  };
}
