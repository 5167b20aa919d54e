import { z } from 'zod';

/** @public */
export const planSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/),
  title: z.string(),
  /** Monthly base price in US dollars; absent for plans priced by contract. */
  monthlyPriceUsd: z.number().nonnegative().optional(),
  limits: z.object({
    /** Clusters a team may have on this plan; absent means no limit. */
    maxClusters: z.number().int().positive().optional(),
    /** Storage a team may provision in total, in GB; absent means no limit. */
    maxStorageGb: z.number().positive().optional(),
    /** Compute hours included per month; absent means no limit. */
    computeHours: z.number().positive().optional(),
    /** The largest size, in compute units, one cluster may have (the autoscaler's ceiling too); absent means no limit. */
    maxClusterCu: z.number().positive().optional(),
  }),
  overage: z
    .object({
      computeHourUsd: z.number().nonnegative(),
      storageGbUsd: z.number().nonnegative(),
    })
    .optional(),
});

/** @public */
export type Plan = z.infer<typeof planSchema>;

/** The plan of a team's billing account when configuration names no default. */
export const DEFAULT_PLAN_NAME = 'pro';

/** The plans of the Orochi Cloud roadmap, used when configuration names none. */
export const DEFAULT_PLANS: Plan[] = [
  {
    name: 'free',
    title: 'Free',
    monthlyPriceUsd: 0,
    limits: { maxClusters: 1, maxStorageGb: 1, computeHours: 10, maxClusterCu: 2 },
  },
  {
    name: 'pro',
    title: 'Pro',
    monthlyPriceUsd: 29,
    limits: { maxStorageGb: 50, computeHours: 1000 },
    overage: { computeHourUsd: 0.1, storageGbUsd: 0.25 },
  },
  {
    name: 'team',
    title: 'Team',
    monthlyPriceUsd: 99,
    limits: { maxStorageGb: 200, computeHours: 3000 },
    overage: { computeHourUsd: 0.08, storageGbUsd: 0.2 },
  },
  { name: 'enterprise', title: 'Enterprise', limits: {} },
];
