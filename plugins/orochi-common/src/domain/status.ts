import { z } from 'zod';

/** Every status a cluster can be in; one vocabulary for the API, the catalog and the UI. */
export const CLUSTER_STATUSES = [
  'provisioning',
  'ready',
  'updating',
  'hibernating',
  'hibernated',
  /** Stopping servers because the cluster has been idle (scale to zero). */
  'suspending',
  /** Stopped because it was idle; the next connection wakes it. Unlike `hibernated`, which only a user undoes. */
  'suspended',
  'waking',
  'restoring',
  'deleting',
  'failed',
] as const;

/** @public */
export const clusterStatusSchema = z.enum(CLUSTER_STATUSES);

/** @public */
export type ClusterStatus = z.infer<typeof clusterStatusSchema>;

/** CNPG-style condition: a named aspect of a cluster's state with a machine-readable reason. */
export const clusterConditionSchema = z.object({
  type: z.string(),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string(),
  message: z.string().optional(),
  lastTransitionTime: z.string(),
});

/** @public */
export type ClusterCondition = z.infer<typeof clusterConditionSchema>;

/** Condition types Orochi itself reports. Drivers may add their own. */
export const CONDITION_READY = 'Ready';
export const CONDITION_OROCHI_EXTENSION = 'OrochiExtension';
