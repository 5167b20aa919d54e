import { z } from 'zod';
import { clusterConditionSchema, clusterStatusSchema } from './status';
import { BILLING_SUSPENSION_REASONS } from './billing';

/**
 * Cluster names are DNS-1123 labels, short enough that the names drivers derive from them (Kubernetes services,
 * pods, poolers) stay valid labels too.
 */
export const clusterNameSchema = z
  .string()
  .min(3, 'must be at least 3 characters')
  .max(40, 'must be at most 40 characters')
  .regex(
    /^[a-z]([-a-z0-9]*[a-z0-9])?$/,
    'must be lowercase letters, digits and "-", start with a letter and end with a letter or digit',
  );

export const autoscalingSchema = z
  .strictObject({
    enabled: z.boolean(),
    minCu: z.number().positive(),
    maxCu: z.number().positive(),
  })
  .refine(a => a.minCu <= a.maxCu, {
    message: 'minCu must not exceed maxCu',
    path: ['minCu'],
  });

/** @public */
export type Autoscaling = z.infer<typeof autoscalingSchema>;

/** How long a cluster may be idle before it is suspended: a minute to a week. */
export const IDLE_MINUTES_RANGE = { min: 1, max: 10080 } as const;

export const scaleToZeroSchema = z.strictObject({
  enabled: z.boolean(),
  /** Minutes without client activity before the cluster is suspended. */
  idleMinutes: z.number().int().min(IDLE_MINUTES_RANGE.min).max(IDLE_MINUTES_RANGE.max),
  /**
   * Whether open sessions that run nothing keep the cluster awake (as Xata counts them); by default they do not
   * (as Neon): they are closed at suspension and the next query wakes the cluster.
   */
  idleSessionsKeepAwake: z.boolean().optional(),
});

/** @public */
export type ScaleToZero = z.infer<typeof scaleToZeroSchema>;

export const backupsSchema = z.strictObject({
  enabled: z.boolean(),
  /** Six-field cron (seconds first), as CloudNativePG's ScheduledBackup takes it; default daily at 03:00. */
  schedule: z
    .string()
    .regex(/^\S+( \S+){5}$/, 'must be a six-field cron expression')
    .default('0 0 3 * * *'),
  retentionDays: z.number().int().min(1).max(3650).default(7),
});

/** @public */
export type Backups = z.infer<typeof backupsSchema>;

export const poolingSchema = z.strictObject({
  /** A PgBouncer pooler in transaction mode in front of the primary. */
  enabled: z.boolean(),
});

/** @public */
export type Pooling = z.infer<typeof poolingSchema>;

/**
 * How a cluster descends from another. A `restore` is an independent copy; a `branch` is a short-lived one that
 * expires, and keeps its parent from being deleted while it exists.
 */
export const clusterParentSchema = z.object({
  kind: z.enum(['restore', 'branch']),
  clusterId: z.string(),
  clusterName: z.string(),
  /** The parent's moment the copy was made from; absent for a copy of the parent as it was when made. */
  targetTime: z.string().optional(),
  backupId: z.string().optional(),
});

/** @public */
export type ClusterParent = z.infer<typeof clusterParentSchema>;

/** What the owner of a cluster asked for: the desired state every driver converges to. */
export const clusterSpecSchema = z.object({
  name: clusterNameSchema,
  /** The owning group, as a full entity ref (`group:default/team-payments`). */
  owner: z.string(),
  /** The system the cluster belongs to, as a full entity ref. */
  system: z.string().optional(),
  size: z.string(),
  /**
   * Compute units of the size, recorded when the size was chosen, so a cluster keeps running at its size when
   * the size is later removed from configuration.
   */
  cu: z.number().positive(),
  instances: z.number().int(),
  storageGb: z.number().int(),
  version: z.number().int(),
  region: z.string(),
  autoscaling: autoscalingSchema,
  scaleToZero: scaleToZeroSchema,
  backups: backupsSchema,
  pooling: poolingSchema,
  /** Whether the cluster should be hibernated (servers stopped, storage kept). */
  hibernated: z.boolean(),
  /** With `hibernated`: stopped by scale to zero, not by a user, so a connection may wake it. */
  idleSuspended: z.literal(true).optional(),
  /**
   * With `hibernated`: stopped by billing (its team's Free compute hours are used up, or its budget's hard stop),
   * so neither a connection nor a user wakes it until billing releases it.
   */
  billingSuspended: z.enum(BILLING_SUSPENSION_REASONS).optional(),
  /** The cluster it was restored or branched from. */
  parent: clusterParentSchema.optional(),
  /** When a branch is deleted by the branch-expiry job. */
  expiresAt: z.string().optional(),
});

/** @public */
export type ClusterSpec = z.infer<typeof clusterSpecSchema>;

export const clusterEndpointSchema = z.object({
  role: z.enum(['primary', 'replica', 'pooler']),
  host: z.string(),
  port: z.number().int(),
});

/** @public */
export type ClusterEndpoint = z.infer<typeof clusterEndpointSchema>;

/** A cluster as the API returns it: its spec and what Orochi last observed. Never carries a secret. */
export const clusterSchema = clusterSpecSchema.extend({
  id: z.string(),
  /** The owning team's plan: its billing account's, the same for all of the team's clusters. */
  plan: z.string(),
  status: clusterStatusSchema,
  statusMessage: z.string().optional(),
  conditions: z.array(clusterConditionSchema),
  endpoints: z.array(clusterEndpointSchema),
  readyInstances: z.number().int(),
  /** The application database and its owning role; the password is only revealed on request. */
  database: z.string(),
  user: z.string(),
  driver: z.string(),
  /** Where the Kubernetes driver runs the cluster (for the Kubernetes plugin's annotations). */
  kubernetes: z.object({ namespace: z.string(), name: z.string() }).optional(),
  currentOperationId: z.string().optional(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** @public */
export type Cluster = z.infer<typeof clusterSchema>;

/** What a credential reveal returns. */
export const connectionDetailsSchema = z.object({
  host: z.string(),
  port: z.number().int(),
  database: z.string(),
  user: z.string(),
  password: z.string(),
  uri: z.string(),
});

/** @public */
export type ConnectionDetails = z.infer<typeof connectionDetailsSchema>;

/** The spec part of a cluster: what its owner asked for, without what Orochi observed. */
export function clusterSpecOf(cluster: Cluster): ClusterSpec {
  return {
    name: cluster.name,
    owner: cluster.owner,
    ...(cluster.system ? { system: cluster.system } : {}),
    size: cluster.size,
    cu: cluster.cu,
    instances: cluster.instances,
    storageGb: cluster.storageGb,
    version: cluster.version,
    region: cluster.region,
    autoscaling: cluster.autoscaling,
    scaleToZero: cluster.scaleToZero,
    backups: cluster.backups,
    pooling: cluster.pooling,
    hibernated: cluster.hibernated,
    ...(cluster.idleSuspended ? { idleSuspended: true as const } : {}),
    ...(cluster.billingSuspended ? { billingSuspended: cluster.billingSuspended } : {}),
    ...(cluster.parent ? { parent: cluster.parent } : {}),
    ...(cluster.expiresAt ? { expiresAt: cluster.expiresAt } : {}),
  };
}
