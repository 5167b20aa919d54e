import { Cluster, ConnectionDetails } from '../domain/cluster';
import { Backup, BranchRequest, RecoveryWindow, RestoreRequest } from '../domain/backups';
import { ClusterChange, ClusterMetrics, ClusterPage, DeletedCluster } from '../api/responses';
import { AutoscalingDecision } from '../domain/autoscaling';
import { Offering } from '../domain/offering';
import { Operation } from '../domain/operations';
import {
  CreateClusterRequest,
  UpdateClusterRequest,
} from '../domain/requests';
import { ClusterStatus } from '../domain/status';
import {
  AccountChange,
  BillingAccount,
  BillingSummary,
  ClusterUsage,
  UsageGranularity,
  UsageReport,
} from '../domain/billing';

/** Per-call options; backend callers pass a token obtained on behalf of the user. */
export interface OrochiRequestOptions {
  token?: string;
  /** Aborts the request (a proxy whose client left, say). */
  signal?: AbortSignal;
}

export interface ListClustersQuery {
  /** Owner entity refs; a cluster matches if it has any of them. */
  owner?: string[];
  status?: ClusterStatus[];
  /** Matches cluster names containing this text. */
  search?: string;
  limit?: number;
  offset?: number;
}


/** The Orochi REST API (`/api/orochi`), as the frontend and the scaffolder module use it. */
export interface OrochiApi {
  getOffering(options?: OrochiRequestOptions): Promise<Offering>;
  listClusters(
    query?: ListClustersQuery,
    options?: OrochiRequestOptions,
  ): Promise<ClusterPage>;
  getCluster(id: string, options?: OrochiRequestOptions): Promise<Cluster>;
  createCluster(
    request: CreateClusterRequest,
    options?: OrochiRequestOptions & { idempotencyKey?: string },
  ): Promise<ClusterChange>;
  updateCluster(
    id: string,
    request: UpdateClusterRequest,
    options?: OrochiRequestOptions,
  ): Promise<ClusterChange>;
  hibernateCluster(
    id: string,
    options?: OrochiRequestOptions,
  ): Promise<ClusterChange>;
  wakeCluster(id: string, options?: OrochiRequestOptions): Promise<ClusterChange>;
  /** For connection proxies: wakes a cluster suspended when idle and answers once it accepts connections. */
  wakeClusterOnConnect(id: string, options?: OrochiRequestOptions): Promise<Cluster>;
  deleteCluster(
    id: string,
    options?: OrochiRequestOptions,
  ): Promise<ClusterChange>;
  listClusterOperations(
    id: string,
    options?: OrochiRequestOptions,
  ): Promise<{ items: Operation[] }>;
  getOperation(id: string, options?: OrochiRequestOptions): Promise<Operation>;
  getMetrics(
    id: string,
    query?: { minutes?: number },
    options?: OrochiRequestOptions,
  ): Promise<ClusterMetrics>;
  listAutoscalingDecisions(
    id: string,
    query?: { minutes?: number },
    options?: OrochiRequestOptions,
  ): Promise<{ items: AutoscalingDecision[] }>;
  revealCredentials(
    id: string,
    options?: OrochiRequestOptions,
  ): Promise<ConnectionDetails>;
  backupCluster(id: string, options?: OrochiRequestOptions): Promise<ClusterChange>;
  listBackups(id: string, options?: OrochiRequestOptions): Promise<{ items: Backup[] }>;
  getRecoveryWindow(id: string, options?: OrochiRequestOptions): Promise<RecoveryWindow>;
  /** Answers the new cluster and its restore operation. */
  restoreCluster(id: string, request: RestoreRequest, options?: OrochiRequestOptions): Promise<ClusterChange>;
  /** Answers the branch and its restore operation. */
  createBranch(id: string, request: BranchRequest, options?: OrochiRequestOptions): Promise<ClusterChange>;
  listBranches(id: string, options?: OrochiRequestOptions): Promise<{ items: Cluster[] }>;
  /** Deleted clusters whose backups are still kept; for platform admins. */
  listDeletedClusters(options?: OrochiRequestOptions): Promise<{ items: DeletedCluster[] }>;
  /** Answers the new cluster, made from a deleted cluster's kept backups, and its restore operation. */
  restoreDeletedCluster(id: string, request: RestoreRequest, options?: OrochiRequestOptions): Promise<ClusterChange>;
  /** A team's billing: account, plan, this month's usage and projected invoice. `group` is an entity ref or name. */
  getBilling(group: string, options?: OrochiRequestOptions): Promise<BillingSummary>;
  getAccountUsage(group: string, query?: UsageQuery, options?: OrochiRequestOptions): Promise<UsageReport>;
  getAccountClusterUsage(group: string, options?: OrochiRequestOptions): Promise<{ items: ClusterUsage[] }>;
  getClusterUsage(id: string, query?: UsageQuery, options?: OrochiRequestOptions): Promise<UsageReport>;
  updateBillingAccount(group: string, change: AccountChange, options?: OrochiRequestOptions): Promise<BillingAccount>;
  /** Answers the billing provider's checkout page for the plan. */
  createCheckout(group: string, plan: string, options?: OrochiRequestOptions): Promise<{ url: string }>;
  /** Answers the billing provider's customer portal. */
  createBillingPortal(group: string, options?: OrochiRequestOptions): Promise<{ url: string }>;
}

/** A usage query: a range of ISO times, a granularity, a page. */
export interface UsageQuery {
  from?: string;
  to?: string;
  granularity?: UsageGranularity;
  limit?: number;
  cursor?: string;
}
