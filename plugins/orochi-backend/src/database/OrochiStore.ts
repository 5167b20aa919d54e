import {
  Cluster,
  ClusterCondition,
  ClusterEndpoint,
  ClusterSpec,
  ClusterStatus,
  Operation,
  OperationStep,
  OperationType,
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
}

export interface NewOperation {
  id: string;
  type: OperationType;
  requestedBy: string;
  idempotencyKey?: string;
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

/** An operation as the worker sees it: the API shape plus its claim. */
export interface OperationRecord extends Operation {
  clusterOwner: string;
}

/** Durable state of the Orochi backend: clusters and their operations. */
export interface OrochiStore {
  /** Inserts a cluster and its create operation together; ConflictError if the name or idempotency key exists. */
  createCluster(cluster: NewCluster, operation: NewOperation): Promise<{ cluster: Cluster; operation: Operation }>;
  getCluster(id: string): Promise<Cluster | undefined>;
  listClusters(query: ClusterQuery): Promise<{ items: Cluster[]; totalCount: number }>;
  /** Every cluster, for the reconciler and quota checks. */
  listAllClusters(owner?: string): Promise<Cluster[]>;
  /**
   * Starts an operation on an existing cluster: records the new desired spec and status with it, atomically.
   * ConflictError while another operation on the cluster is pending or running.
   */
  startOperation(
    clusterId: string,
    change: { spec: ClusterSpec; status: ClusterStatus },
    operation: NewOperation,
  ): Promise<{ cluster: Cluster; operation: Operation }>;
  /** Like startOperation, but does nothing (and answers undefined) unless the cluster still has `expected`'s spec. */
  startOperationIfUnchanged(
    expected: Cluster,
    change: { spec: ClusterSpec; status: ClusterStatus },
    operation: NewOperation,
  ): Promise<{ cluster: Cluster; operation: Operation } | undefined>;
  /** Records what the driver observed; the status too when no operation is active. True if the status changed. */
  updateObserved(
    clusterId: string,
    observed: ClusterObserved,
    status?: { status: ClusterStatus; message?: string },
  ): Promise<boolean>;

  getOperation(id: string): Promise<OperationRecord | undefined>;
  findOperationByIdempotencyKey(key: string): Promise<OperationRecord | undefined>;
  listClusterOperations(clusterId: string, limit: number): Promise<Operation[]>;
  /** Claims one runnable operation (pending, or running with an expired lease) for `workerId`. */
  claimOperation(workerId: string, leaseMs: number): Promise<OperationRecord | undefined>;
  /** Extends the claim; false if the worker lost it. */
  renewLease(operationId: string, workerId: string, leaseMs: number): Promise<boolean>;
  recordSteps(operationId: string, workerId: string, steps: OperationStep[]): Promise<void>;
  /** Ends an operation and sets the cluster's status; deletes the cluster row when `deleteCluster` is set. */
  finishOperation(
    operationId: string,
    workerId: string,
    outcome: {
      state: 'succeeded' | 'failed';
      error?: string;
      clusterStatus?: ClusterStatus;
      deleteCluster?: boolean;
    },
  ): Promise<{ clusterId: string; clusterName: string }>;
  /** Releases the claim so the operation runs again after `notBefore`. */
  retryOperation(operationId: string, workerId: string, error: string, notBefore: number): Promise<void>;
}
