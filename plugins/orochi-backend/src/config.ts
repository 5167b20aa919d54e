import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';
import {
  AutoscalingPolicy,
  DEFAULT_AUTOSCALING_POLICY,
  defaultOffering,
  describeValidationError,
  Offering,
  offeringSchema,
  orochiPermissions,
} from '@orochi/backstage-plugin-orochi-common';
import { DriverCapabilities, readInstallationId } from '@orochi/backstage-plugin-orochi-node';
import { resolve } from 'node:path';

/** Everything the Orochi backend reads from `orochi.*`, with defaults applied. Read once, here. */
export interface OrochiConfig {
  driver: string;
  /** Scopes the driver's resources to this portal, so two portals can share a Kubernetes cluster. */
  installationId: string;
  /** Services (by subject) and the Orochi permissions beyond reading that each may use. */
  serviceAccess: Map<string, Set<string>>;
  /** Builds the offering once the driver has said what it can do. */
  offering(capabilities: DriverCapabilities): Offering;
  operations: {
    schedule: SchedulerServiceTaskScheduleDefinition;
    leaseSeconds: number;
    maxAttempts: number;
    readyTimeoutSeconds: number;
    concurrency: number;
    /** Finished operations are deleted this long after they finished. */
    retentionDays: number;
    pruneSchedule: SchedulerServiceTaskScheduleDefinition;
  };
  reconciler: {
    schedule: SchedulerServiceTaskScheduleDefinition;
    /** Orphans are deleted this long after they were first seen; undefined keeps them. */
    deleteOrphansAfterMs?: number;
  };
  metrics: { schedule: SchedulerServiceTaskScheduleDefinition; retentionHours: number };
  backups: {
    /** How often due scheduled backups are started, for drivers that do not schedule them. */
    schedule: SchedulerServiceTaskScheduleDefinition;
    retentionSchedule: SchedulerServiceTaskScheduleDefinition;
    /** How long a deleted cluster's backups are kept. */
    deletedClusterGraceMs: number;
  };
  branches: {
    expirySchedule: SchedulerServiceTaskScheduleDefinition;
    /** How long before its expiry a branch's owners are warned. */
    warnBeforeMs: number;
  };
  autoscaling: {
    schedule: SchedulerServiceTaskScheduleDefinition;
    policy: AutoscalingPolicy;
    /** Decisions are kept this long. */
    decisionRetentionMs: number;
  };
  scaleToZero: {
    schedule: SchedulerServiceTaskScheduleDefinition;
    /** How long a wake-on-connect request waits for the cluster to accept connections. */
    wakeTimeoutMs: number;
  };
  billing: {
    /** Metering rounds; each records what every cluster accrued since the last. */
    usageSchedule: SchedulerServiceTaskScheduleDefinition;
    /** Hourly roll-ups of complete hours, and with a billing provider their outbox rows. */
    rollupSchedule: SchedulerServiceTaskScheduleDefinition;
    /** Delivery of the outbox to the billing provider. */
    deliverySchedule: SchedulerServiceTaskScheduleDefinition;
    /** Plan limits (Free compute hours) and budgets: alerts, hard stops, releases. */
    limitsSchedule: SchedulerServiceTaskScheduleDefinition;
    /** Raw samples are kept this long after they were rolled up. */
    rawRetentionMs: number;
    /** Hourly roll-ups are kept this long. */
    retentionMs: number;
    /** Where Stripe's checkout and portal pages send the user back to: the portal's Billing page. */
    returnUrl: string;
  };
  local: LocalDriverConfig;
}

export interface LocalDriverConfig {
  dataDirectory: string;
  binDirectory?: string;
  host: string;
  listenAddress: string;
  portRange: { from: number; to: number };
  serverUser: string;
  /** Whether servers' CPU is limited through cgroups where the host allows it (`auto`), or never (`off`). */
  cpuLimits: 'auto' | 'off';
}

function schedule(
  config: Config,
  key: string,
  fallback: SchedulerServiceTaskScheduleDefinition,
) {
  return config.has(key)
    ? readSchedulerServiceTaskScheduleDefinitionFromConfig(config.getConfig(key))
    : fallback;
}

export function readOrochiConfig(root: Config): OrochiConfig {
  const config = root.getOptionalConfig('orochi');
  const get = <T>(key: string, read: (c: Config, k: string) => T | undefined) =>
    config ? read(config, key) : undefined;
  const str = (key: string) => get(key, (c, k) => c.getOptionalString(k));
  const num = (key: string) => get(key, (c, k) => c.getOptionalNumber(k));

  const offering = (capabilities: DriverCapabilities): Offering => {
    const driverVersions = capabilities.versions;
    const base = defaultOffering(driverVersions, { pooling: capabilities.pooling });
    const regions = get('regions', (c, k) => c.getOptionalStringArray(k)) ?? base.regions;
    const candidate = {
      sizes: get('sizes', (c, k) => c.getOptional(k)) ?? base.sizes,
      plans: get('plans', (c, k) => c.getOptional(k)) ?? base.plans,
      regions,
      versions: driverVersions,
      features: base.features,
      defaults: {
        plan: str('defaults.plan') ?? base.defaults.plan,
        size: str('defaults.size') ?? base.defaults.size,
        region: str('defaults.region') ?? regions[0],
        version: num('defaults.version') ?? base.defaults.version,
        storageGb: num('defaults.storageGb') ?? base.defaults.storageGb,
      },
      limits: {
        maxInstances: num('limits.maxInstances') ?? base.limits.maxInstances,
        minStorageGb: num('limits.minStorageGb') ?? base.limits.minStorageGb,
        maxStorageGb: num('limits.maxStorageGb') ?? base.limits.maxStorageGb,
      },
      branches: {
        defaultTtlHours: num('branches.defaultTtlHours') ?? base.branches.defaultTtlHours,
        maxTtlHours: num('branches.maxTtlHours') ?? base.branches.maxTtlHours,
      },
    };
    const parsed = offeringSchema.safeParse(candidate);
    if (!parsed.success) {
      throw new Error(
        `Invalid orochi configuration: ${describeValidationError(parsed.error)}`,
      );
    }
    return parsed.data;
  };

  const installationId = readInstallationId(root);
  const serviceAccess = new Map<string, Set<string>>();
  for (const entry of config?.getOptionalConfigArray('serviceAccess') ?? []) {
    const subject = entry.getString('subject');
    const permissions = entry.getStringArray('permissions');
    const unknown = permissions.filter(p => !orochiPermissions.some(known => known.name === p));
    if (unknown.length) {
      throw new Error(`Invalid orochi configuration: serviceAccess: unknown permission(s) ${unknown.join(', ')} for ${subject}`);
    }
    serviceAccess.set(subject, new Set([...(serviceAccess.get(subject) ?? []), ...permissions]));
  }
  const orphansDeleteAfter = 'reconciler.orphans.deleteAfter';
  const duration = (key: string, fallback: HumanDuration) =>
    durationToMilliseconds(config?.has(key) ? readDurationFromConfig(config, { key }) : fallback);
  const seconds = (key: string, fallback: number) => (config?.has(key) ? duration(key, { seconds: fallback }) / 1000 : fallback);
  /** A string that must be one of `values`; the first is the default. */
  const oneOf = <T extends string>(key: string, values: readonly [T, ...T[]]): T => {
    const value = str(key) ?? values[0];
    if (!values.includes(value as T)) throw new Error(`orochi.${key} must be one of ${values.join(', ')}, got ${value}`);
    return value as T;
  };
  const fraction = (key: string, fallback: number) => {
    const value = num(key) ?? fallback;
    if (!(value > 0)) throw new Error(`orochi.${key} must be a positive number, got ${value}`);
    return value;
  };
  /** The autoscaler's policy: the seeds' defaults, each overridable. */
  const autoscalingPolicy = (): AutoscalingPolicy => {
    const d = DEFAULT_AUTOSCALING_POLICY;
    return {
      cpuTarget: fraction('autoscaling.cpuTarget', d.cpuTarget),
      memoryTarget: fraction('autoscaling.memoryTarget', d.memoryTarget),
      scaleUpAbove: fraction('autoscaling.scaleUpAbove', d.scaleUpAbove),
      scaleDownBelow: fraction('autoscaling.scaleDownBelow', d.scaleDownBelow),
      scaleUpCooldownSeconds: seconds('autoscaling.scaleUpCooldown', d.scaleUpCooldownSeconds),
      scaleDownCooldownSeconds: seconds('autoscaling.scaleDownCooldown', d.scaleDownCooldownSeconds),
      windowSeconds: seconds('autoscaling.window', d.windowSeconds),
      storage: {
        threshold: fraction('autoscaling.storage.threshold', d.storage.threshold),
        step: fraction('autoscaling.storage.step', d.storage.step),
        minStepGb: fraction('autoscaling.storage.minStepGb', d.storage.minStepGb),
        cooldownSeconds: seconds('autoscaling.storage.cooldown', d.storage.cooldownSeconds),
      },
    };
  };

  return {
    driver: str('driver') ?? 'local',
    installationId,
    serviceAccess,
    offering,
    operations: {
      schedule: schedule(root, 'orochi.operations.schedule', {
        frequency: { seconds: 2 },
        timeout: { minutes: 1 },
        scope: 'local',
      }),
      leaseSeconds: num('operations.leaseSeconds') ?? 30,
      maxAttempts: num('operations.maxAttempts') ?? 3,
      readyTimeoutSeconds: num('operations.readyTimeoutSeconds') ?? 300,
      concurrency: num('operations.concurrency') ?? 4,
      retentionDays: num('operations.retentionDays') ?? 30,
      pruneSchedule: schedule(root, 'orochi.operations.pruneSchedule', {
        frequency: { hours: 1 },
        timeout: { minutes: 10 },
        initialDelay: { minutes: 1 },
        scope: 'global',
      }),
    },
    reconciler: {
      schedule: schedule(root, 'orochi.reconciler.schedule', {
        frequency: { seconds: 10 },
        timeout: { minutes: 5 },
        scope: 'global',
      }),
      deleteOrphansAfterMs: config?.has(orphansDeleteAfter)
        ? durationToMilliseconds(readDurationFromConfig(config, { key: orphansDeleteAfter }))
        : undefined,
    },
    metrics: {
      schedule: schedule(root, 'orochi.metrics.schedule', {
        frequency: { seconds: 15 },
        timeout: { minutes: 1 },
        scope: 'global',
      }),
      retentionHours: num('metrics.retentionHours') ?? 24,
    },
    backups: {
      schedule: schedule(root, 'orochi.backups.schedule', {
        frequency: { minutes: 1 },
        timeout: { minutes: 5 },
        scope: 'global',
      }),
      retentionSchedule: schedule(root, 'orochi.backups.retentionSchedule', {
        frequency: { hours: 1 },
        timeout: { minutes: 30 },
        initialDelay: { minutes: 2 },
        scope: 'global',
      }),
      deletedClusterGraceMs: duration('backups.deletedClusterRetention', { days: 7 }),
    },
    branches: {
      expirySchedule: schedule(root, 'orochi.branches.expirySchedule', {
        frequency: { minutes: 1 },
        timeout: { minutes: 5 },
        scope: 'global',
      }),
      warnBeforeMs: duration('branches.warnBefore', { hours: 1 }),
    },
    autoscaling: {
      schedule: schedule(root, 'orochi.autoscaling.schedule', {
        frequency: { seconds: 30 },
        timeout: { minutes: 2 },
        scope: 'global',
      }),
      policy: autoscalingPolicy(),
      decisionRetentionMs: duration('autoscaling.decisionRetention', { days: 7 }),
    },
    scaleToZero: {
      schedule: schedule(root, 'orochi.scaleToZero.schedule', {
        frequency: { minutes: 1 },
        timeout: { minutes: 5 },
        scope: 'global',
      }),
      wakeTimeoutMs: duration('scaleToZero.wakeTimeout', { seconds: 30 }),
    },
    billing: {
      usageSchedule: schedule(root, 'orochi.billing.usageSchedule', {
        frequency: { minutes: 1 },
        timeout: { minutes: 5 },
        scope: 'global',
      }),
      rollupSchedule: schedule(root, 'orochi.billing.rollupSchedule', {
        frequency: { minutes: 5 },
        timeout: { minutes: 10 },
        scope: 'global',
      }),
      deliverySchedule: schedule(root, 'orochi.billing.deliverySchedule', {
        frequency: { minutes: 1 },
        timeout: { minutes: 5 },
        scope: 'global',
      }),
      limitsSchedule: schedule(root, 'orochi.billing.limitsSchedule', {
        frequency: { minutes: 1 },
        timeout: { minutes: 5 },
        scope: 'global',
      }),
      rawRetentionMs: duration('billing.rawRetention', { days: 7 }),
      retentionMs: duration('billing.retention', { months: 13 }),
      returnUrl: `${root.getOptionalString('app.baseUrl') ?? 'http://localhost:3000'}/orochi/billing`,
    },
    local: {
      dataDirectory: resolve(
        str('local.dataDirectory') ?? '.orochi-clusters',
      ),
      binDirectory: str('local.binDirectory'),
      host: str('local.host') ?? 'localhost',
      listenAddress: str('local.listenAddress') ?? '127.0.0.1',
      portRange: {
        from: num('local.portRange.from') ?? 54320,
        to: num('local.portRange.to') ?? 54999,
      },
      serverUser: str('local.serverUser') ?? 'postgres',
      cpuLimits: oneOf('local.cpuLimits', ['auto', 'off'] as const),
    },
  };
}
