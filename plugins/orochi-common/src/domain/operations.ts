import { z } from 'zod';

export const OPERATION_TYPES = [
  'create',
  'update',
  'hibernate',
  'wake',
  'delete',
] as const;

/** @public */
export const operationTypeSchema = z.enum(OPERATION_TYPES);

/** @public */
export type OperationType = z.infer<typeof operationTypeSchema>;

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

/** A durable change to one cluster, executed step by step through the cluster's driver. */
export const operationSchema = z.object({
  id: z.string(),
  clusterId: z.string(),
  clusterName: z.string(),
  type: operationTypeSchema,
  state: operationStateSchema,
  steps: z.array(operationStepSchema),
  attempts: z.number().int(),
  error: z.string().optional(),
  requestedBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().optional(),
});

/** @public */
export type Operation = z.infer<typeof operationSchema>;
