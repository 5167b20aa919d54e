import {
  Cluster,
  ClusterSpec,
  ClusterStatus,
  Operation,
  OperationRequest,
  OperationStep,
} from '@orochi/backstage-plugin-orochi-common';
import { ClusterObserved, NewOperation, OperationRecord } from './OrochiStore';

/** The tables' rows as knex sees them, and their mapping to the domain. */
export type ClusterRow = {
  id: string;
  name: string;
  owner: string;
  status: string;
  status_message: string | null;
  spec: string;
  observed: string;
  driver: string;
  database_name: string;
  database_user: string;
  current_operation_id: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
  /** The owner's plan, from its billing account (selected with the cluster, not a column of it). */
  plan?: string;
};

export type OperationRow = {
  id: string;
  cluster_id: string;
  cluster_name: string;
  cluster_owner: string;
  active_cluster_id: string | null;
  type: string;
  parameters: string;
  reason: string | null;
  state: string;
  steps: string;
  attempts: number;
  error: string | null;
  idempotency_key: string | null;
  requested_by: string;
  /** The token of the claim that holds the operation: `<worker id>/<claim id>`. */
  lease_owner: string | null;
  lease_expires_at: number | string | null;
  not_before: number | string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
};

export const NOTHING_OBSERVED: ClusterObserved = {
  conditions: [],
  endpoints: [],
  readyInstances: 0,
};

export function toCluster(row: ClusterRow): Cluster {
  const observed = JSON.parse(row.observed) as ClusterObserved;
  return {
    ...(JSON.parse(row.spec) as ClusterSpec),
    id: row.id,
    plan: row.plan!,
    status: row.status as ClusterStatus,
    ...(row.status_message ? { statusMessage: row.status_message } : {}),
    conditions: observed.conditions,
    endpoints: observed.endpoints,
    readyInstances: observed.readyInstances,
    ...(observed.kubernetes ? { kubernetes: observed.kubernetes } : {}),
    database: row.database_name,
    user: row.database_user,
    driver: row.driver,
    ...(row.current_operation_id ? { currentOperationId: row.current_operation_id } : {}),
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The operation as stored; its parameters are validated against their type's schema where it runs. */
export function toOperation(row: OperationRow): OperationRecord {
  const request = { type: row.type, parameters: JSON.parse(row.parameters) } as OperationRequest;
  return {
    id: row.id,
    clusterId: row.cluster_id,
    clusterName: row.cluster_name,
    clusterOwner: row.cluster_owner,
    ...request,
    state: row.state as Operation['state'],
    steps: JSON.parse(row.steps) as OperationStep[],
    attempts: Number(row.attempts),
    ...(row.error ? { error: row.error } : {}),
    requestedBy: row.requested_by,
    ...(row.reason ? { reason: row.reason } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...(row.finished_at ? { finishedAt: row.finished_at } : {}),
  };
}

/** Strips what only the backend needs for API callers. */
export function publicOperation(record: OperationRecord): Operation {
  const { clusterOwner: _owner, leaseToken: _token, ...operation } = record as OperationRecord & { leaseToken?: string };
  return operation as Operation;
}

export function operationRow(
  operation: NewOperation,
  cluster: { id: string; name: string; owner: string },
  now: string,
): OperationRow {
  return {
    id: operation.id,
    cluster_id: cluster.id,
    cluster_name: cluster.name,
    cluster_owner: cluster.owner,
    active_cluster_id: cluster.id,
    type: operation.request.type,
    parameters: JSON.stringify(operation.request.parameters),
    reason: operation.reason ?? null,
    state: 'pending',
    steps: '[]',
    attempts: 0,
    error: null,
    idempotency_key: operation.idempotencyKey ?? null,
    requested_by: operation.requestedBy,
    lease_owner: null,
    lease_expires_at: null,
    not_before: null,
    created_at: now,
    updated_at: now,
    finished_at: null,
  };
}
