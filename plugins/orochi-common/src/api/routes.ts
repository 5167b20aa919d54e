import { z } from 'zod';
import { clusterSchema, connectionDetailsSchema } from '../domain/cluster';
import { offeringSchema } from '../domain/offering';
import { operationSchema, operationStepSchema } from '../domain/operations';
import { createClusterRequestShape, updateClusterRequestShape } from '../domain/requests';
import { clusterStatusSchema } from '../domain/status';
import { backupSchema, branchRequestShape, recoveryWindowSchema, restoreRequestSchema } from '../domain/backups';
import { metricsPointSchema } from '../domain/metrics';
import { autoscalingDecisionSchema } from '../domain/autoscaling';
import {
  accountChangeSchema,
  billingAccountSchema,
  billingRedirectSchema,
  billingSummarySchema,
  checkoutRequestSchema,
  clusterUsageSchema,
  invoiceSchema,
  usageGranularitySchema,
  usageReportSchema,
} from '../domain/billing';
import {
  backupListSchema,
  branchListSchema,
  clusterChangeSchema,
  clusterMetricsSchema,
  autoscalingDecisionListSchema,
  clusterPageSchema,
  deletedClusterListSchema,
  errorResponseSchema,
  healthSchema,
  operationListSchema,
  orphanListSchema,
  clusterUsageListSchema,
} from './responses';

/**
 * The REST API under /api/orochi, defined once: every route with the zod schemas of what it takes and answers.
 * `openapi.yaml` is generated from this (see orochi-backend's `yarn generate`), the router is typed by that
 * document, and the client's types are these schemas' types.
 */
export interface ApiRoute {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** The path as OpenAPI writes it: `/clusters/{clusterId}`. */
  path: string;
  operationId: string;
  description: string;
  /** Routes that need no Backstage token. */
  unauthenticated?: boolean;
  /** Query parameters; arrays repeat the parameter. Query strings arrive as text, so numbers are patterns. */
  query?: z.ZodObject;
  headers?: z.ZodObject;
  body?: z.ZodType;
  /** The success status and what it answers with; every route also answers errors in Backstage's shape. */
  response: { status: 200 | 202; body: z.ZodType; description: string };
}

/** Schemas the document names in `components.schemas`, so routes and clients share them by name. */
export const apiComponents = {
  requests: {
    CreateClusterRequest: createClusterRequestShape,
    UpdateClusterRequest: updateClusterRequestShape,
    RestoreRequest: restoreRequestSchema,
    BranchRequest: branchRequestShape,
    AccountChange: accountChangeSchema,
    CheckoutRequest: checkoutRequestSchema,
  },
  responses: {
    ClusterStatus: clusterStatusSchema,
    Cluster: clusterSchema,
    ClusterPage: clusterPageSchema,
    ClusterChange: clusterChangeSchema,
    OperationStep: operationStepSchema,
    Operation: operationSchema,
    OperationList: operationListSchema,
    ConnectionDetails: connectionDetailsSchema,
    Offering: offeringSchema,
    MetricsPoint: metricsPointSchema,
    ClusterMetrics: clusterMetricsSchema,
    OrphanList: orphanListSchema,
    Backup: backupSchema,
    BackupList: backupListSchema,
    RecoveryWindow: recoveryWindowSchema,
    BranchList: branchListSchema,
    DeletedClusterList: deletedClusterListSchema,
    AutoscalingDecision: autoscalingDecisionSchema,
    AutoscalingDecisionList: autoscalingDecisionListSchema,
    BillingAccount: billingAccountSchema,
    BillingSummary: billingSummarySchema,
    Invoice: invoiceSchema,
    UsageReport: usageReportSchema,
    ClusterUsage: clusterUsageSchema,
    Health: healthSchema,
    Error: errorResponseSchema,
  },
} as const;

const wholeNumber = z.string().regex(/^[0-9]+$/);
/** Makes a retried request that creates a cluster safe: a repeated key answers what the first one created. */
const idempotencyHeader = z.object({ 'Idempotency-Key': z.string().max(200).optional() });
const usageQueryShape = z.object({
  from: z.string().optional().describe('Start of the range, ISO 8601 (default: the start of this month, UTC).'),
  to: z.string().optional().describe('End of the range, exclusive, ISO 8601 (default: now).'),
  granularity: usageGranularitySchema.optional().describe('hour (default), day or month, in UTC.'),
  limit: wholeNumber.optional().describe('Periods per page, 1 to 1000 (default 100).'),
  cursor: z.string().optional().describe('nextCursor of the previous page.'),
});
const change = (description: string) => ({ status: 202 as const, body: clusterChangeSchema, description });

export const apiRoutes: ApiRoute[] = [
  {
    method: 'get',
    path: '/health',
    operationId: 'GetHealth',
    description: 'Liveness of the Orochi plugin. Needs no token.',
    unauthenticated: true,
    response: { status: 200, body: healthSchema, description: 'The plugin is up.' },
  },
  {
    method: 'get',
    path: '/config',
    operationId: 'GetOffering',
    description: 'What clusters may be created with: sizes, plans, regions, PostgreSQL versions, defaults, limits.',
    response: { status: 200, body: offeringSchema, description: 'The offering.' },
  },
  {
    method: 'get',
    path: '/clusters',
    operationId: 'ListClusters',
    description: 'The clusters the caller may read (orochi.cluster.read), sorted by name.',
    query: z.object({
      owner: z.array(z.string()).optional().describe('Owner entity refs; repeat for several.'),
      status: z.array(clusterStatusSchema).optional(),
      search: z.string().optional().describe('Part of a cluster name.'),
      limit: wholeNumber.optional().describe('Page size, 1 to 1000 (default 100).'),
      offset: wholeNumber.optional().describe('How many clusters to skip (default 0).'),
    }),
    response: { status: 200, body: clusterPageSchema, description: 'One page of clusters.' },
  },
  {
    method: 'post',
    path: '/clusters',
    operationId: 'CreateCluster',
    description:
      'Creates a cluster (orochi.cluster.create). Only name and owner are required; the rest defaults from GET ' +
      '/config. Send an Idempotency-Key header to make retries safe: a repeated key answers with the cluster and ' +
      'operation it created the first time.',
    headers: idempotencyHeader,
    body: createClusterRequestShape,
    response: change('The cluster, provisioning, and its create operation.'),
  },
  {
    method: 'get',
    path: '/clusters/{clusterId}',
    operationId: 'GetCluster',
    description: 'One cluster (orochi.cluster.read); one the caller may not read answers 404.',
    response: { status: 200, body: clusterSchema, description: 'The cluster.' },
  },
  {
    method: 'patch',
    path: '/clusters/{clusterId}',
    operationId: 'UpdateCluster',
    description: 'Resizes or reconfigures a cluster (orochi.cluster.update).',
    body: updateClusterRequestShape,
    response: change('The cluster with its new spec, and the update operation.'),
  },
  {
    method: 'delete',
    path: '/clusters/{clusterId}',
    operationId: 'DeleteCluster',
    description: 'Deletes a cluster with its data (orochi.cluster.delete).',
    response: change('The cluster, deleting, and the delete operation.'),
  },
  {
    method: 'post',
    path: '/clusters/{clusterId}/hibernate',
    operationId: 'HibernateCluster',
    description: 'Stops the servers and keeps the storage (orochi.cluster.update).',
    response: change('The cluster, hibernating, and the hibernate operation.'),
  },
  {
    method: 'post',
    path: '/clusters/{clusterId}/wake',
    operationId: 'WakeCluster',
    description: 'Starts a hibernated cluster again (orochi.cluster.update).',
    response: change('The cluster, waking, and the wake operation.'),
  },
  {
    method: 'post',
    path: '/clusters/{clusterId}/wake-on-connect',
    operationId: 'WakeClusterOnConnect',
    description:
      'For a connection proxy that a client connected to: wakes a cluster suspended when idle (an operation ' +
      'started by orochi:wake-on-connect) and answers once it accepts connections; 409 says why not (a user ' +
      'hibernated it), 503 that it did not start in time (orochi.cluster.wakeOnConnect). Audited.',
    response: { status: 200, body: clusterSchema, description: 'The cluster, accepting connections.' },
  },
  {
    method: 'get',
    path: '/clusters/{clusterId}/operations',
    operationId: 'ListClusterOperations',
    description: 'The cluster’s latest 50 operations, newest first.',
    response: { status: 200, body: operationListSchema, description: 'The operations.' },
  },
  {
    method: 'get',
    path: '/clusters/{clusterId}/metrics',
    operationId: 'GetClusterMetrics',
    description: 'Activity of the cluster’s primary, sampled by the backend.',
    query: z.object({ minutes: wholeNumber.optional().describe('How far back, 1 to 1440 minutes (default 60).') }),
    response: { status: 200, body: clusterMetricsSchema, description: 'The samples, oldest first.' },
  },
  {
    method: 'get',
    path: '/clusters/{clusterId}/autoscaling/decisions',
    operationId: 'ListAutoscalingDecisions',
    description:
      'What the autoscaler decided for the cluster, "no change" included: the metric windows, the rule that fired, ' +
      'the size before and after, and the operation it started (orochi.cluster.read).',
    query: z.object({ minutes: wholeNumber.optional().describe('How far back, 1 to 10080 minutes (default 60).') }),
    response: { status: 200, body: autoscalingDecisionListSchema, description: 'The decisions, newest first.' },
  },
  {
    method: 'get',
    path: '/clusters/{clusterId}/credentials',
    operationId: 'RevealCredentials',
    description:
      'The application role’s password and connection details (orochi.cluster.credentials.read): users the ' +
      'policy allows and services named in orochi.serviceAccess. Audited.',
    response: { status: 200, body: connectionDetailsSchema, description: 'Where and how to connect.' },
  },
  {
    method: 'post',
    path: '/clusters/{clusterId}/backups',
    operationId: 'BackupCluster',
    description: 'Takes a base backup of the running cluster now (orochi.cluster.update).',
    response: change('The cluster and the backup operation; the backup is listed once it starts.'),
  },
  {
    method: 'get',
    path: '/clusters/{clusterId}/backups',
    operationId: 'ListClusterBackups',
    description: 'The cluster’s backups, newest first, with their state, size and the moment each makes recoverable.',
    response: { status: 200, body: backupListSchema, description: 'The backups.' },
  },
  {
    method: 'get',
    path: '/clusters/{clusterId}/recovery-window',
    operationId: 'GetRecoveryWindow',
    description: 'The earliest and latest moments the cluster can be restored or branched to.',
    response: { status: 200, body: recoveryWindowSchema, description: 'The recovery window.' },
  },
  {
    method: 'post',
    path: '/clusters/{clusterId}/restore',
    operationId: 'RestoreCluster',
    description:
      'Restores the cluster into a new cluster, at a moment of its recovery window, a backup, or its latest state ' +
      '(orochi.cluster.read and, since the copy holds its data, orochi.cluster.credentials.read on the source; ' +
      'orochi.cluster.create for the new cluster’s owner). A time outside the recovery window is a 400 that states ' +
      'the window. The source keeps ' +
      'running; restoring in place is not offered yet. An Idempotency-Key header makes retries safe.',
    headers: idempotencyHeader,
    body: restoreRequestSchema,
    response: change('The new cluster, restoring, and its restore operation.'),
  },
  {
    method: 'post',
    path: '/clusters/{clusterId}/branches',
    operationId: 'CreateBranch',
    description:
      'Creates a branch: a copy of the cluster now or at a moment of its recovery window that is deleted when ' +
      'its time to live ends (as a restore: read and credentials on the parent, create for the branch’s owner). ' +
      'Change its expiry or detach it with PATCH /clusters/{clusterId}; a cluster with branches cannot be deleted. ' +
      'An Idempotency-Key header makes retries safe: a repeated key answers the branch the first request made.',
    headers: idempotencyHeader,
    body: branchRequestShape,
    response: change('The branch, restoring, and its restore operation.'),
  },
  {
    method: 'get',
    path: '/clusters/{clusterId}/branches',
    operationId: 'ListBranches',
    description: 'The cluster’s branches the caller may read, soonest to expire first.',
    response: { status: 200, body: branchListSchema, description: 'The branches.' },
  },
  {
    method: 'get',
    path: '/operations/{operationId}',
    operationId: 'GetOperation',
    description: 'One operation with its steps; poll it until it has succeeded or failed.',
    response: { status: 200, body: operationSchema, description: 'The operation.' },
  },
  {
    method: 'get',
    path: '/orphans',
    operationId: 'ListOrphans',
    description:
      'What the driver holds for this installation with no cluster record (orochi.orphans.read, users only).',
    response: { status: 200, body: orphanListSchema, description: 'The orphans, oldest first.' },
  },
  {
    method: 'get',
    path: '/deleted-clusters',
    operationId: 'ListDeletedClusters',
    description:
      'Deleted clusters whose backups are still kept (for orochi.backups.deletedClusterRetention) and can be ' +
      'restored (orochi.deletedClusters.read: platform admins).',
    response: { status: 200, body: deletedClusterListSchema, description: 'The deleted clusters, last deleted first.' },
  },
  {
    method: 'post',
    path: '/deleted-clusters/{clusterId}/restore',
    operationId: 'RestoreDeletedCluster',
    description:
      'Restores a deleted cluster from its kept backups into a new cluster, at a moment of its recovery window, a ' +
      'backup, or its latest archived state (orochi.deletedClusters.restore: platform admins; ' +
      'orochi.cluster.create for the new cluster’s owner). The new cluster may take the deleted one’s name.',
    headers: idempotencyHeader,
    body: restoreRequestSchema,
    response: change('The new cluster, restoring, and its restore operation.'),
  },
  {
    method: 'get',
    path: '/clusters/{clusterId}/usage',
    operationId: 'GetClusterUsage',
    description: 'The cluster’s metered usage per period and meter (orochi.billing.read on its team).',
    query: usageQueryShape,
    response: { status: 200, body: usageReportSchema, description: 'One page of periods, oldest first.' },
  },
  {
    method: 'get',
    path: '/billing/accounts/{group}',
    operationId: 'GetBillingAccount',
    description:
      'A team’s billing account, plan, this month’s usage and its projected invoice (orochi.billing.read on the ' +
      'team: its members, and admins). `group` is the owning group’s entity ref or name.',
    response: { status: 200, body: billingSummarySchema, description: 'The team’s billing.' },
  },
  {
    method: 'patch',
    path: '/billing/accounts/{group}',
    operationId: 'UpdateBillingAccount',
    description:
      'Sets a team’s budget (orochi.billing.manage on the team) or, without payment, its plan ' +
      '(orochi.billing.plan.set: platform admins). Audited.',
    body: accountChangeSchema,
    response: { status: 200, body: billingAccountSchema, description: 'The account as changed.' },
  },
  {
    method: 'get',
    path: '/billing/accounts/{group}/usage',
    operationId: 'GetAccountUsage',
    description:
      'A team’s metered usage per period and meter, like Neon’s consumption API: compute_unit_seconds, ' +
      'storage_bytes_hour, backup_bytes_hour, branch_seconds (orochi.billing.read on the team).',
    query: usageQueryShape,
    response: { status: 200, body: usageReportSchema, description: 'One page of periods, oldest first.' },
  },
  {
    method: 'get',
    path: '/billing/accounts/{group}/clusters',
    operationId: 'GetAccountClusterUsage',
    description: 'This month’s usage of each of the team’s clusters, deleted ones included (orochi.billing.read).',
    response: { status: 200, body: clusterUsageListSchema, description: 'Clusters, most compute first.' },
  },
  {
    method: 'post',
    path: '/billing/accounts/{group}/checkout',
    operationId: 'CreateCheckout',
    description:
      'A checkout page of the billing provider that subscribes the team to a plan (orochi.billing.manage on the ' +
      'team). The plan applies once the provider confirms the payment. Audited.',
    body: checkoutRequestSchema,
    response: { status: 200, body: billingRedirectSchema, description: 'Where to send the user.' },
  },
  {
    method: 'post',
    path: '/billing/accounts/{group}/portal',
    operationId: 'CreateBillingPortal',
    description:
      'The billing provider’s portal for the team: payment methods, invoices, cancellation (orochi.billing.manage). ' +
      'Audited.',
    response: { status: 200, body: billingRedirectSchema, description: 'Where to send the user.' },
  },
  {
    method: 'post',
    path: '/billing/webhook',
    operationId: 'ReceiveBillingWebhook',
    description:
      'The billing provider’s webhook (Stripe: checkout.session.completed, customer.subscription.*, invoice.paid, ' +
      'invoice.payment_failed). Needs no token: the provider’s signature over the raw body is verified, and a ' +
      'wrong one is refused. Each event is applied once.',
    unauthenticated: true,
    body: z.object({ id: z.string(), type: z.string() }).passthrough(),
    response: { status: 200, body: z.object({ received: z.literal(true) }), description: 'The event is recorded.' },
  },
];
