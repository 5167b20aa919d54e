import { z } from 'zod';

/** One point of a cluster's activity, as GET /clusters/{id}/metrics serves it. */
export const metricsPointSchema = z.object({
  at: z.string(),
  connections: z.number(),
  /** Transactions per second since the previous point. */
  transactionsPerSecond: z.number(),
  /** CPU use of the primary as a percentage of one vCPU, since the previous point. */
  cpuPercent: z.number(),
  memoryBytes: z.number(),
  storageBytes: z.number(),
});

/** @public */
export type MetricsPoint = z.infer<typeof metricsPointSchema>;
