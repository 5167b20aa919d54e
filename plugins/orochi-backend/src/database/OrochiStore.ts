import {
  BillingSuspensionReason,
  Cluster,
  ClusterCondition,
  ClusterEndpoint,
  ClusterSpec,
  ClusterStatus,
  Operation,
  OperationRequest,
  OperationStep,
} from '@orochi/backstage-plugin-orochi-common';
import { ClusterFilter } from '@orochi/backstage-plugin-orochi-node';
import { PermissionCriteria } from '@backstage/plugin-permission-common';

/** What Orochi last observed about a cluster through its driver. */
export interface ClusterObserved {
  conditions: ClusterCondition[];
  endpoints: ClusterEndpoint[];
  readyInstances: number;
  kubernetes?: { namespace: string; name: string };
}

export interface NewCluster {
  id: string;
  spec: ClusterSpec;
  status: ClusterStatus;
  driver: string;
  database: string;
  user: string;
  createdBy: string;
  /** The plan of the owner's billing account when the owner has none yet and this cluster opens it. */
  defaultPlan?: string;
}

export interface NewOperation {
  id: string;
  /** The operation's type and its parameters, validated by the caller. */
  request: OperationRequest;
  requestedBy: string;
  /** Why an automatic operation was started. */
  reason?: string;
  idempotencyKey?: string;
}

/**
 * Checked inside the transaction that writes a cluster or starts an operation, while the owner's clusters are
 * locked, so two concurrent requests cannot both pass a limit: it sees the owner's other clusters and its billing
 * account (which must exist). Throws to refuse.
 */
export type OwnerGuard = (ownerClusters: Cluster[], account: OwnerAccount) => void;

/** What a guard sees of the owner's billing account. */
export interface OwnerAccount {
  plan: string;
  /** Set while billing has suspended the owner's clusters. */
  suspension?: BillingSuspensionReason;
}

export interface ClusterQuery {
  /** The permission framework's conditions for the caller, as a filter; absent means no restriction. */
  permissionFilter?: PermissionCriteria<ClusterFilter>;
  owner?: string[];
  status?: ClusterStatus[];
  search?: string;
  limit: number;
  offset: number;
}

/** An operation as the backend sees it: the API shape plus the owner kept for authorization. */
export type OperationRecord = Operation & { clusterOwner: string };

/** An operation a worker claimed: `leaseToken` identifies this claim, and only it may write the operation. */
export type ClaimedOperation = OperationRecord & { leaseToken: string };

/** A change to an existing cluster that starts an operation. */
export interface ClusterChangeRequest {
  spec: ClusterSpec;
  status: ClusterStatus;
  /** Starts nothing (and answers undefined) unless the cluster still has this `updatedAt`. */
  ifUpdatedAt?: string;
  guard?: OwnerGuard;
}

/** Durable state of the Orochi backend: clusters and their operations. */
export interface OrochiStore {
  /**
   * Inserts a cluster and its create operation together; ConflictError if the name or idempotency key exists.
   * `guard` sees the owner's other clusters inside the transaction.
   */
  createCluster(
    cluster: NewCluster,
    operation: NewOperation,
    guard?: OwnerGuard,
  ): Promise<{ cluster: Cluster; operation: Operation }>;
  getCluster(id: string): Promise<Cluster | undefined>;
  listClusters(query: ClusterQuery): Promise<{ items: Cluster[]; totalCount: number }>;
  /** Every cluster, for the reconciler and quota checks. */
  listAllClusters(owner?: string): Promise<Cluster[]>;
  /**
   * Starts an operation on an existing cluster: records the new desired spec and status with it, atomically.
   * ConflictError while another operation on the cluster is pending or running; undefined when `ifUpdatedAt`
   * no longer matches.
   */
  startOperation(
    clusterId: string,
    change: ClusterChangeRequest,
    operation: NewOperation,
  ): Promise<{ cluster: Cluster; operation: Operation } | undefined>;
  /** Records the compute units of clusters that have none recorded, resolving their size. */
  recordMissingComputeUnits(computeUnitsOf: (size: string) => number | undefined): Promise<void>;
  /**
   * Records what the driver observed; the status too when no operation is active and, with `ifUpdatedAt`, the
   * cluster has not changed since it was read. True if the status changed.
   */
  updateObserved(
    clusterId: string,
    observed: ClusterObserved,
    status?: { status: ClusterStatus; message?: string; ifUpdatedAt?: string },
  ): Promise<boolean>;

  getOperation(id: string): Promise<OperationRecord | undefined>;
  findOperationByIdempotencyKey(key: string): Promise<OperationRecord | undefined>;
  listClusterOperations(clusterId: string, limit: number): Promise<Operation[]>;
  /**
   * Claims one runnable operation (pending, or running with an expired lease) other than `excludeIds` (what
   * the worker runs already), with a new lease token.
   */
  claimOperation(workerId: string, leaseMs: number, excludeIds?: string[]): Promise<ClaimedOperation | undefined>;
  /** Extends the claim; false if it was lost. */
  renewLease(operationId: string, leaseToken: string, leaseMs: number): Promise<boolean>;
  recordSteps(operationId: string, leaseToken: string, steps: OperationStep[]): Promise<void>;
  /** Ends an operation and sets the cluster's status; deletes the cluster row when `deleteCluster` is set. */
  finishOperation(
    operationId: string,
    leaseToken: string,
    outcome: OperationOutcome,
  ): Promise<{ clusterId: string; clusterName: string }>;
  /** Releases the claim so the operation runs again after `notBefore`. */
  retryOperation(operationId: string, leaseToken: string, error: string, notBefore: number): Promise<void>;
  /** Deletes finished operations that finished before `finishedBefore`; answers how many. */
  pruneOperations(finishedBefore: Date): Promise<number>;
}

/** How an operation ended, and what that does to its cluster. */
export interface OperationOutcome {
  state: 'succeeded' | 'failed';
  error?: string;
  clusterStatus?: ClusterStatus;
  deleteCluster?: boolean;
}
