import { z } from 'zod';
import { restoreTargetSchema, BACKUP_KINDS } from './backups';
import { clusterSpecSchema } from './cluster';
import { ClusterStatus } from './status';

export const OPERATION_TYPES = [
  'create',
  'update',
  'hibernate',
  'suspend',
  'wake',
  'delete',
  'backup',
  'restore',
] as const;

/** @public */
export const operationTypeSchema = z.enum(OPERATION_TYPES);

/** @public */
export type OperationType = z.infer<typeof operationTypeSchema>;

/** The status a cluster shows while an operation of each type runs. */
export const STATUS_DURING_OPERATION: Record<OperationType, ClusterStatus> = {
  create: 'provisioning',
  update: 'updating',
  hibernate: 'hibernating',
  suspend: 'suspending',
  wake: 'waking',
  delete: 'deleting',
  // A backup runs beside the cluster's work: it stays ready and connectable.
  backup: 'ready',
  restore: 'restoring',
};

export const OPERATION_STATES = [
  'pending',
  'running',
  'succeeded',
  'failed',
] as const;

/** @public */
export const operationStateSchema = z.enum(OPERATION_STATES);

/** @public */
export type OperationState = z.infer<typeof operationStateSchema>;

export const operationStepSchema = z.object({
  name: z.string(),
  state: operationStateSchema,
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  message: z.string().optional(),
});

/** @public */
export type OperationStep = z.infer<typeof operationStepSchema>;

/** The fields of a spec an update changed, before and after. */
const specFieldsSchema = clusterSpecSchema.partial();

/**
 * The parameters each operation type carries, stored with the operation and validated when it is written and
 * when a worker runs it. A new type adds its entry here and a handler in the backend.
 */
export const operationParametersSchemas = {
  create: z.strictObject({}),
  update: z.strictObject({ from: specFieldsSchema, to: specFieldsSchema }),
  hibernate: z.strictObject({}),
  /** Scale to zero: the servers stop after the cluster has been idle since `idleSince`. */
  suspend: z.strictObject({ idleSince: z.string(), idleMinutes: z.number().int() }),
  wake: z.strictObject({}),
  delete: z.strictObject({}),
  backup: z.strictObject({ backupId: z.string(), kind: z.enum(BACKUP_KINDS) }),
  /** Makes a new cluster's data from its source (`spec.parent`) instead of an empty database. */
  restore: z.strictObject({ sourceClusterId: z.string(), target: restoreTargetSchema }),
} satisfies Record<OperationType, z.ZodType>;

/** @public */
export type OperationParameters<T extends OperationType = OperationType> = z.infer<
  (typeof operationParametersSchemas)[T]
>;

/** Each type with its parameters. */
const requestOf = {
  create: z.object({ type: z.literal('create'), parameters: operationParametersSchemas.create }),
  update: z.object({ type: z.literal('update'), parameters: operationParametersSchemas.update }),
  hibernate: z.object({ type: z.literal('hibernate'), parameters: operationParametersSchemas.hibernate }),
  suspend: z.object({ type: z.literal('suspend'), parameters: operationParametersSchemas.suspend }),
  wake: z.object({ type: z.literal('wake'), parameters: operationParametersSchemas.wake }),
  delete: z.object({ type: z.literal('delete'), parameters: operationParametersSchemas.delete }),
  backup: z.object({ type: z.literal('backup'), parameters: operationParametersSchemas.backup }),
  restore: z.object({ type: z.literal('restore'), parameters: operationParametersSchemas.restore }),
};

/** An operation's type with its parameters, as one discriminated value. */
export const operationRequestSchema = z.discriminatedUnion('type', [
  requestOf.create,
  requestOf.update,
  requestOf.hibernate,
  requestOf.suspend,
  requestOf.wake,
  requestOf.delete,
  requestOf.backup,
  requestOf.restore,
]);

/** @public */
export type OperationRequest = z.infer<typeof operationRequestSchema>;

/** Who started operations that no person asked for, as recorded in `requestedBy`. */
export const AUTOMATIC_REQUESTERS = {
  reconciler: 'orochi:reconciler',
  backupScheduler: 'orochi:backup-scheduler',
  branchExpiry: 'orochi:branch-expiry',
  autoscaler: 'orochi:autoscaler',
  idle: 'orochi:idle',
  wakeOnConnect: 'orochi:wake-on-connect',
  billing: 'orochi:billing',
} as const;

const operationFieldsSchema = z.object({
  id: z.string(),
  clusterId: z.string(),
  clusterName: z.string(),
  state: operationStateSchema,
  steps: z.array(operationStepSchema),
  attempts: z.number().int(),
  error: z.string().optional(),
  /** A user entity ref, a service's subject, or one of {@link AUTOMATIC_REQUESTERS}. */
  requestedBy: z.string(),
  /** Why an automatic operation was started. */
  reason: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().optional(),
});

/**
 * A durable change to one cluster, executed step by step through the cluster's driver: the common fields with
 * each type's parameters, one complete object per type.
 */
export const operationSchema = z.discriminatedUnion('type', [
  operationFieldsSchema.extend(requestOf.create.shape),
  operationFieldsSchema.extend(requestOf.update.shape),
  operationFieldsSchema.extend(requestOf.hibernate.shape),
  operationFieldsSchema.extend(requestOf.suspend.shape),
  operationFieldsSchema.extend(requestOf.wake.shape),
  operationFieldsSchema.extend(requestOf.delete.shape),
  operationFieldsSchema.extend(requestOf.backup.shape),
  operationFieldsSchema.extend(requestOf.restore.shape),
]);

/** @public */
export type Operation = z.infer<typeof operationSchema>;
