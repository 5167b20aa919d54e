import { z } from 'zod';
import { planSchema } from './plans';
import { ClusterStatus } from './status';

/**
 * What Orochi meters, named as Neon names its consumption metrics so users can compare. Values are whole
 * numbers once summed per hour (Stripe meters take integers).
 */
export const USAGE_METERS = [
  /** Compute units × seconds running; nothing while hibernated or suspended. */
  'compute_unit_seconds',
  /** Bytes of storage × hours: data directories on the local driver, requested volume sizes on Kubernetes. */
  'storage_bytes_hour',
  /** Seconds a branch (a cluster with an expiry) exists. */
  'branch_seconds',
  /** Bytes of backups × hours, as the driver reports their sizes. */
  'backup_bytes_hour',
] as const;

/** @public */
export type UsageMeter = (typeof USAGE_METERS)[number];

export const usageMeterSchema = z.enum(USAGE_METERS);

export const usageGranularitySchema = z.enum(['hour', 'day', 'month']);

/** @public */
export type UsageGranularity = z.infer<typeof usageGranularitySchema>;

/** One period of usage: every meter's total over [start, end). */
export const usagePeriodSchema = z.object({
  start: z.string(),
  end: z.string(),
  usage: z.partialRecord(usageMeterSchema, z.number()),
});

/** @public */
export type UsagePeriod = z.infer<typeof usagePeriodSchema>;

export const usageReportSchema = z.object({
  granularity: usageGranularitySchema,
  periods: z.array(usagePeriodSchema),
  /** Pass as `cursor` for the next page; absent on the last page. */
  nextCursor: z.string().optional(),
});

/** @public */
export type UsageReport = z.infer<typeof usageReportSchema>;

/** A team's monthly budget: alerts at fractions of the amount, and optionally a hard stop at 100 %. */
export const budgetSchema = z.object({
  monthlyUsd: z.number().positive(),
  /** Fractions of the amount at which the team is notified; default 50 %, 80 % and 100 %. */
  alertThresholds: z.array(z.number().positive().max(1)).min(1).default([0.5, 0.8, 1]),
  /** Whether the team's clusters are suspended when the month's cost reaches the amount. */
  hardStop: z.boolean().default(false),
});

/** @public */
export type Budget = z.infer<typeof budgetSchema>;

/** Why a team's clusters are suspended by billing: its Free compute hours are used up, or its budget. */
export const BILLING_SUSPENSION_REASONS = ['compute-hours', 'budget'] as const;

/** @public */
export type BillingSuspensionReason = (typeof BILLING_SUSPENSION_REASONS)[number];

/** Why billing stopped a team's clusters, in words for the portal and for clients connecting through the proxy. */
export function billingSuspensionMessage(reason: BillingSuspensionReason): string {
  return reason === 'compute-hours'
    ? "the team's Free compute hours for this month are used up; it runs again next month or once the team upgrades"
    : "the team's monthly budget is spent and its hard stop is on; it runs again next month or once the budget is raised";
}

/** A team's billing account: the owning group, its plan and its Stripe subscription. Never carries a secret. */
export const billingAccountSchema = z.object({
  /** The owning group, as a full entity ref. */
  group: z.string(),
  plan: z.string(),
  /** Whether the account has a customer in the billing provider (created when first needed). */
  hasCustomer: z.boolean(),
  subscription: z
    .object({ id: z.string(), status: z.string() })
    .optional(),
  budget: budgetSchema.optional(),
  suspension: z.object({ reason: z.enum(BILLING_SUSPENSION_REASONS), since: z.string() }).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** @public */
export type BillingAccount = z.infer<typeof billingAccountSchema>;

/**
 * Whether a cluster in this status runs compute that is metered: from ready until its servers are stopped.
 * Starting (provisioning, waking, restoring) is not billed, nor anything hibernated, suspended or failed.
 */
export function isComputeMetered(status: ClusterStatus): boolean {
  return status === 'ready' || status === 'updating' || status === 'hibernating' || status === 'suspending';
}

/** The period's invoice so far and as projected to its end at the current rate. */
export const invoiceSchema = z.object({
  periodStart: z.string(),
  periodEnd: z.string(),
  baseUsd: z.number(),
  compute: z.object({
    cuHours: z.number(),
    projectedCuHours: z.number(),
    includedCuHours: z.number().optional(),
    overageUsd: z.number(),
    projectedOverageUsd: z.number(),
  }),
  storage: z.object({
    gbMonths: z.number(),
    projectedGbMonths: z.number(),
    includedGbMonths: z.number().optional(),
    overageUsd: z.number(),
    projectedOverageUsd: z.number(),
  }),
  totalUsd: z.number(),
  projectedTotalUsd: z.number(),
});

/** @public */
export type Invoice = z.infer<typeof invoiceSchema>;

/** PATCH /billing/accounts/{group}: a budget (`null` removes it) or, for admins, a plan. */
export const accountChangeSchema = z.strictObject({
  plan: z.string().min(1).optional(),
  budget: budgetSchema.nullable().optional(),
});

/** @public */
export type AccountChange = z.input<typeof accountChangeSchema>;

/** POST /billing/accounts/{group}/checkout: the plan to subscribe to. */
export const checkoutRequestSchema = z.strictObject({ plan: z.string().min(1) });

const instant = z.string().refine(value => !Number.isNaN(Date.parse(value)), 'must be an ISO 8601 date and time');

/**
 * The query of the usage routes, as in Neon's consumption API: a range, a granularity, and pages of periods. The
 * route table documents each parameter; this is what the service checks them against.
 */
export const usageQuerySchema = z.strictObject({
  from: instant.optional(),
  to: instant.optional(),
  granularity: usageGranularitySchema.default('hour'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: instant.optional(),
});

/** A redirect to the billing provider's hosted page. */
export const billingRedirectSchema = z.object({ url: z.string() });

/** One cluster's usage this period. */
export const clusterUsageSchema = z.object({
  clusterId: z.string(),
  /** Absent once the cluster has been deleted. */
  clusterName: z.string().optional(),
  usage: z.partialRecord(usageMeterSchema, z.number()),
});

/** @public */
export type ClusterUsage = z.infer<typeof clusterUsageSchema>;

/** GET /billing/accounts/{group}: the team's account and plan, this period's usage and its projected invoice. */
export const billingSummarySchema = z.object({
  account: billingAccountSchema,
  plan: planSchema,
  /** This period's usage per meter, up to now. */
  usage: z.partialRecord(usageMeterSchema, z.number()),
  invoice: invoiceSchema,
  /** Whether payments go through a billing provider (Stripe); without one, usage is metered and billed nowhere. */
  billingProvider: z.enum(['configured', 'none']),
  /** For platform admins: what is missing in the billing provider's setup (meters, prices), found at start. */
  setupProblems: z.array(z.string()).optional(),
});

/** @public */
export type BillingSummary = z.infer<typeof billingSummarySchema>;
