import { z } from 'zod';
import { clusterUsageSchema } from '../domain/billing';
import { autoscalingDecisionSchema } from '../domain/autoscaling';
import { backupSchema, recoveryWindowSchema } from '../domain/backups';
import { clusterSchema } from '../domain/cluster';
import { metricsPointSchema } from '../domain/metrics';
import { operationSchema } from '../domain/operations';

/** GET /clusters: one page of the clusters the caller may read. */
export const clusterPageSchema = z.object({
  items: z.array(clusterSchema),
  /** How many match, across all pages. */
  totalCount: z.number().int(),
});

/** @public */
export type ClusterPage = z.infer<typeof clusterPageSchema>;

/** The answer to every accepted change: the cluster and the operation that carries the change out. */
export const clusterChangeSchema = z.object({ cluster: clusterSchema, operation: operationSchema });

/** @public */
export type ClusterChange = z.infer<typeof clusterChangeSchema>;

export const operationListSchema = z.object({ items: z.array(operationSchema) });

export const clusterMetricsSchema = z.object({ points: z.array(metricsPointSchema) });

/** @public */
export type ClusterMetrics = z.infer<typeof clusterMetricsSchema>;

/** What a driver holds for a cluster id Orochi has no record of. */
export const orphanSchema = z.object({
  clusterId: z.string(),
  driver: z.string(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
});

/** @public */
export type Orphan = z.infer<typeof orphanSchema>;

export const orphanListSchema = z.object({ items: z.array(orphanSchema) });

/** A deleted cluster whose backups are still kept, so an admin can restore it until `backupsKeptUntil`. */
export const deletedClusterSchema = z.object({
  /** The cluster as it was when its deletion finished. */
  cluster: clusterSchema,
  deletedAt: z.string(),
  deletedBy: z.string(),
  backupsKeptUntil: z.string(),
  /** What it can be restored to; missing when the driver could not be read. */
  recoveryWindow: recoveryWindowSchema.optional(),
});

/** @public */
export type DeletedCluster = z.infer<typeof deletedClusterSchema>;

export const deletedClusterListSchema = z.object({ items: z.array(deletedClusterSchema) });

/** GET /clusters/{id}/autoscaling/decisions: newest first. */
export const autoscalingDecisionListSchema = z.object({ items: z.array(autoscalingDecisionSchema) });

export const healthSchema = z.object({ status: z.enum(['ok']) });

/** Backstage's error body, as every failed request answers. */
export const errorResponseSchema = z.object({
  error: z.object({ name: z.string(), message: z.string() }),
  request: z.object({ method: z.string(), url: z.string() }).optional(),
  response: z.object({ statusCode: z.number().int() }).optional(),
});

export const backupListSchema = z.object({ items: z.array(backupSchema) });

/** GET /clusters/{id}/branches: the cluster's branches, soonest to expire first. */
export const branchListSchema = z.object({ items: z.array(clusterSchema) });

/** GET /billing/accounts/{group}/clusters. */
export const clusterUsageListSchema = z.object({ items: z.array(clusterUsageSchema) });
