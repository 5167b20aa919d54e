import { z } from 'zod';
import {
  autoscalingSchema,
  backupsSchema,
  clusterNameSchema,
  poolingSchema,
  scaleToZeroSchema,
} from './cluster';
import { Offering } from './offering';

function oneOf<T extends string | number>(values: T[], what: string) {
  return (value: T, ctx: z.RefinementCtx) => {
    if (!values.includes(value)) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown ${what} "${value}"; one of ${values.join(', ')}`,
      });
    }
  };
}

/**
 * Seconds and minutes as single values: a schedule that fires at most once an hour (more often would take base
 * backups faster than they can be kept).
 */
const atMostHourly = (schedule: string) => /^\d{1,2} \d{1,2} /.test(schedule);

function requestFields(offering: Offering) {
  const { limits } = offering;
  const units = offering.sizes.map(s => s.cu);
  const [smallest, largest] = [Math.min(...units), Math.max(...units)];
  return {
    size: z.string().superRefine(
      oneOf(
        offering.sizes.map(s => s.name),
        'size',
      ),
    ),
    instances: z
      .number()
      .int()
      .min(1, 'must be at least 1 (a primary)')
      .max(limits.maxInstances, `must be at most ${limits.maxInstances}`),
    storageGb: z
      .number()
      .int()
      .min(limits.minStorageGb, `must be at least ${limits.minStorageGb} GB`)
      .max(limits.maxStorageGb, `must be at most ${limits.maxStorageGb} GB`),
    autoscaling: autoscalingSchema
      .refine(a => a.minCu >= smallest, { message: `must be at least ${smallest} CU (the smallest size)`, path: ['minCu'] })
      .refine(a => a.maxCu <= largest, { message: `must be at most ${largest} CU (the largest size)`, path: ['maxCu'] }),
    backups: backupsSchema.refine(b => atMostHourly(b.schedule), {
      message: 'must run at most once an hour: give seconds and minutes as single numbers, e.g. "0 0 3 * * *"',
      path: ['schedule'],
    }),
    scaleToZero: scaleToZeroSchema,
    pooling: poolingSchema.refine(p => !p.enabled || offering.features.pooling, {
      message: 'this installation’s driver has no connection pooler',
      path: ['enabled'],
    }),
  };
}

/** POST /clusters: everything but name and owner has a default from the offering. */
export function createClusterRequestSchema(offering: Offering) {
  const fields = requestFields(offering);
  const { defaults } = offering;
  return z.strictObject({
    name: clusterNameSchema,
    owner: z.string().min(1),
    system: z.string().min(1).optional(),
    plan: z
      .string()
      .superRefine(
        oneOf(
          offering.plans.map(p => p.name),
          'plan',
        ),
      )
      .default(defaults.plan),
    size: fields.size.default(defaults.size),
    instances: fields.instances.default(1),
    storageGb: fields.storageGb.default(defaults.storageGb),
    version: z
      .number()
      .int()
      .superRefine(oneOf(offering.versions, 'PostgreSQL version'))
      .default(defaults.version),
    region: z
      .string()
      .superRefine(oneOf(offering.regions, 'region'))
      .default(defaults.region),
    autoscaling: fields.autoscaling.optional(),
    scaleToZero: fields.scaleToZero.optional(),
    backups: fields.backups.optional(),
    pooling: fields.pooling.optional(),
  });
}

/** @public */
export type CreateClusterRequest = z.input<
  ReturnType<typeof createClusterRequestSchema>
>;

/** PATCH /clusters/{id}: any subset of what may change after creation. */
export function updateClusterRequestSchema(offering: Offering) {
  const fields = requestFields(offering);
  return z
    .strictObject({
      size: fields.size.optional(),
      instances: fields.instances.optional(),
      storageGb: fields.storageGb.optional(),
      autoscaling: fields.autoscaling.optional(),
      scaleToZero: fields.scaleToZero.optional(),
      pooling: fields.pooling.optional(),
    })
    .refine(update => Object.keys(update).length > 0, {
      message: 'name at least one of size, instances, storageGb, autoscaling, scaleToZero, pooling',
    });
}

/** @public */
export type UpdateClusterRequest = z.input<
  ReturnType<typeof updateClusterRequestSchema>
>;

/** A readable one-line account of what is wrong with a request, naming each field. */
export function describeValidationError(error: z.ZodError): string {
  return error.issues
    .map(issue => {
      if (issue.code === 'unrecognized_keys') {
        return issue.keys
          .map(key => `${[...issue.path, key].join('.')}: unknown field`)
          .join('; ');
      }
      const field = issue.path.join('.');
      return field ? `${field}: ${issue.message}` : issue.message;
    })
    .join('; ');
}
