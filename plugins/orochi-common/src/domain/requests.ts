import { z } from 'zod';
import {
  autoscalingSchema,
  backupsSchema,
  clusterNameSchema,
  poolingSchema,
  scaleToZeroSchema,
} from './cluster';
import { Offering } from './offering';
import { isoTimeSchema } from './backups';

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

/**
 * The request fields. With an offering they are checked against it (sizes, limits, the driver's features); without
 * one they are the shape the OpenAPI document states, with only the rules that hold in every installation.
 */
function requestFields(offering?: Offering) {
  const units = offering?.sizes.map(s => s.cu) ?? [];
  const [smallest, largest] = [Math.min(...units), Math.max(...units)];
  const limits = offering?.limits;
  let instances = z.number().int().min(1, 'must be at least 1 (a primary)');
  if (limits) instances = instances.max(limits.maxInstances, `must be at most ${limits.maxInstances}`);
  const minStorage = limits?.minStorageGb ?? 1;
  let storageGb = z.number().int().min(minStorage, `must be at least ${minStorage} GB`);
  if (limits) storageGb = storageGb.max(limits.maxStorageGb, `must be at most ${limits.maxStorageGb} GB`);
  return {
    size: offering ? z.string().superRefine(oneOf(offering.sizes.map(s => s.name), 'size')) : z.string(),
    instances,
    storageGb,
    autoscaling: offering
      ? autoscalingSchema
          .refine(a => a.minCu >= smallest, { message: `must be at least ${smallest} CU (the smallest size)`, path: ['minCu'] })
          .refine(a => a.maxCu <= largest, { message: `must be at most ${largest} CU (the largest size)`, path: ['maxCu'] })
      : autoscalingSchema,
    backups: backupsSchema.refine(b => atMostHourly(b.schedule), {
      message: 'must run at most once an hour: give seconds and minutes as single numbers, e.g. "0 0 3 * * *"',
      path: ['schedule'],
    }),
    scaleToZero: scaleToZeroSchema,
    pooling: offering
      ? poolingSchema.refine(p => !p.enabled || offering.features.pooling, {
          message: 'this installation’s driver has no connection pooler',
          path: ['enabled'],
        })
      : poolingSchema,
  };
}

/** A field the offering gives a default; in the documented shape it is simply optional. */
function defaulted<T extends z.ZodType>(schema: T, value: z.output<T> | undefined) {
  return (value === undefined ? schema.optional() : schema.default(value as never)) as unknown as z.ZodDefault<T>;
}

function createRequest(offering?: Offering) {
  const fields = requestFields(offering);
  const defaults = offering?.defaults;
  const choice = (values: Array<string | number> | undefined, what: string) =>
    values ? oneOf(values, what) : () => undefined;
  return z.strictObject({
    name: clusterNameSchema,
    owner: z.string().min(1),
    system: z.string().min(1).optional(),
    size: defaulted(fields.size, defaults?.size),
    instances: defaulted(fields.instances, offering ? 1 : undefined),
    storageGb: defaulted(fields.storageGb, defaults?.storageGb),
    version: defaulted(z.number().int().superRefine(choice(offering?.versions, 'PostgreSQL version')), defaults?.version),
    region: defaulted(z.string().superRefine(choice(offering?.regions, 'region')), defaults?.region),
    autoscaling: fields.autoscaling.optional(),
    scaleToZero: fields.scaleToZero.optional(),
    backups: fields.backups.optional(),
    pooling: fields.pooling.optional(),
  });
}

/** POST /clusters: everything but name and owner has a default from the offering. */
export function createClusterRequestSchema(offering: Offering) {
  return createRequest(offering);
}

/** POST /clusters as the OpenAPI document states it: the shape, with defaults and limits left to GET /config. */
export const createClusterRequestShape = createRequest();

/** @public */
export type CreateClusterRequest = z.input<
  ReturnType<typeof createClusterRequestSchema>
>;

function updateRequest(offering?: Offering) {
  const fields = requestFields(offering);
  return z
    .strictObject({
      size: fields.size.optional(),
      instances: fields.instances.optional(),
      storageGb: fields.storageGb.optional(),
      autoscaling: fields.autoscaling.optional(),
      scaleToZero: fields.scaleToZero.optional(),
      pooling: fields.pooling.optional(),
      /** A branch's new expiry: extend or shorten it within the installation's maximum time to live. */
      expiresAt: isoTimeSchema.optional(),
      /** Detaches a branch from its parent: it becomes an ordinary cluster that does not expire. */
      detach: z.literal(true).optional(),
    })
    .refine(update => Object.keys(update).length > 0, {
      message: 'name at least one of size, instances, storageGb, autoscaling, scaleToZero, pooling, expiresAt, detach',
    });
}

/** PATCH /clusters/{id}: any subset of what may change after creation. */
export function updateClusterRequestSchema(offering: Offering) {
  return updateRequest(offering);
}

/** PATCH /clusters/{id} as the OpenAPI document states it. */
export const updateClusterRequestShape = updateRequest();

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
