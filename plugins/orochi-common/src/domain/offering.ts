import { z } from 'zod';
import { clusterSizeSchema, DEFAULT_SIZES } from './sizes';
import { DEFAULT_PLAN_NAME, DEFAULT_PLANS, planSchema } from './plans';
import { DEFAULT_BRANCH_TTL_HOURS, DEFAULT_MAX_BRANCH_TTL_HOURS } from './backups';

/** What the platform offers: the choices a cluster request is validated against. Served at GET /config. */
export const offeringSchema = z.object({
  sizes: z.array(clusterSizeSchema).min(1),
  plans: z.array(planSchema).min(1),
  regions: z.array(z.string()).min(1),
  /** PostgreSQL major versions the active driver can run. */
  versions: z.array(z.number().int()).min(1),
  defaults: z.object({
    plan: z.string(),
    size: z.string(),
    region: z.string(),
    version: z.number().int(),
    storageGb: z.number().int(),
  }),
  /** What the active driver can do beyond the basics. */
  features: z.object({ pooling: z.boolean() }),
  limits: z.object({
    maxInstances: z.number().int().min(1),
    minStorageGb: z.number().int().min(1),
    maxStorageGb: z.number().int().min(1),
  }),
  /** Branches' time to live, in hours. */
  branches: z
    .object({ defaultTtlHours: z.number().int().min(1), maxTtlHours: z.number().int().min(1) })
    .refine(b => b.defaultTtlHours <= b.maxTtlHours, {
      message: 'defaultTtlHours must not exceed maxTtlHours',
      path: ['defaultTtlHours'],
    }),
});

/** @public */
export type Offering = z.infer<typeof offeringSchema>;

/** The offering of an unconfigured installation, for a driver that runs the given versions. */
export function defaultOffering(versions: number[], features: Offering['features'] = { pooling: false }): Offering {
  return {
    sizes: DEFAULT_SIZES,
    plans: DEFAULT_PLANS,
    regions: ['local'],
    versions,
    defaults: {
      plan: DEFAULT_PLAN_NAME,
      size: 'small',
      region: 'local',
      version: Math.max(...versions),
      storageGb: 1,
    },
    features,
    limits: { maxInstances: 5, minStorageGb: 1, maxStorageGb: 1024 },
    branches: { defaultTtlHours: DEFAULT_BRANCH_TTL_HOURS, maxTtlHours: DEFAULT_MAX_BRANCH_TTL_HOURS },
  };
}

/** Compute units of a size of the offering; throws for a size it does not have. */
export function computeUnitsOf(offering: Offering, size: string): number {
  const found = offering.sizes.find(s => s.name === size);
  if (!found) throw new Error(`Unknown size ${size}`);
  return found.cu;
}
