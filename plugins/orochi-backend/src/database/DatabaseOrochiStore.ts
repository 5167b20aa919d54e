import { DatabaseService, isDatabaseConflictError } from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  isAndCriteria,
  isNotCriteria,
  isOrCriteria,
} from '@backstage/plugin-permission-node';
import { PermissionCriteria } from '@backstage/plugin-permission-common';
import {
  Cluster,
  ClusterSpec,
  ClusterStatus,
  Operation,
  OperationStep,
} from '@orochi/backstage-plugin-orochi-common';
import { ClusterFilter } from '@orochi/backstage-plugin-orochi-node';
import { Knex } from 'knex';
import { migratedClient } from './migrate';
import {
  ClusterObserved,
  ClusterQuery,
  NewCluster,
  NewOperation,
  OperationRecord,
  OrochiStore,
} from './OrochiStore';

type ClusterRow = {
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
};

type OperationRow = {
  id: string;
  cluster_id: string;
  cluster_name: string;
  cluster_owner: string;
  active_cluster_id: string | null;
  type: string;
  state: string;
  steps: string;
  attempts: number;
  error: string | null;
  idempotency_key: string | null;
  requested_by: string;
  lease_owner: string | null;
  lease_expires_at: number | string | null;
  not_before: number | string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
};

const NOTHING_OBSERVED: ClusterObserved = {
  conditions: [],
  endpoints: [],
  readyInstances: 0,
};

function toCluster(row: ClusterRow): Cluster {
  const observed = JSON.parse(row.observed) as ClusterObserved;
  return {
    ...(JSON.parse(row.spec) as ClusterSpec),
    id: row.id,
    status: row.status as ClusterStatus,
    ...(row.status_message ? { statusMessage: row.status_message } : {}),
    conditions: observed.conditions,
    endpoints: observed.endpoints,
    readyInstances: observed.readyInstances,
    ...(observed.kubernetes ? { kubernetes: observed.kubernetes } : {}),
    database: row.database_name,
    user: row.database_user,
    driver: row.driver,
    ...(row.current_operation_id
      ? { currentOperationId: row.current_operation_id }
      : {}),
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toOperation(row: OperationRow): OperationRecord {
  return {
    id: row.id,
    clusterId: row.cluster_id,
    clusterName: row.cluster_name,
    clusterOwner: row.cluster_owner,
    type: row.type as Operation['type'],
    state: row.state as Operation['state'],
    steps: JSON.parse(row.steps) as OperationStep[],
    attempts: Number(row.attempts),
    ...(row.error ? { error: row.error } : {}),
    requestedBy: row.requested_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...(row.finished_at ? { finishedAt: row.finished_at } : {}),
  };
}

/** Strips the worker's bookkeeping for API callers. */
function publicOperation(record: OperationRecord): Operation {
  const { clusterOwner: _owner, ...operation } = record;
  return operation;
}

function operationRow(
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
    type: operation.type,
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

/** The knex implementation of {@link OrochiStore}, on SQLite or PostgreSQL. */
export class DatabaseOrochiStore implements OrochiStore {
  static async create(options: {
    database: DatabaseService;
    clock?: () => Date;
  }): Promise<DatabaseOrochiStore> {
    return new DatabaseOrochiStore(await migratedClient(options.database), options.clock ?? (() => new Date()));
  }

  readonly #db: Knex;
  readonly #clock: () => Date;

  private constructor(db: Knex, clock: () => Date) {
    this.#db = db;
    this.#clock = clock;
  }

  async createCluster(cluster: NewCluster, operation: NewOperation) {
    const now = this.#clock().toISOString();
    try {
      await this.#db.transaction(async tx => {
        await tx<ClusterRow>('clusters').insert({
          id: cluster.id,
          name: cluster.spec.name,
          owner: cluster.spec.owner,
          status: cluster.status,
          status_message: null,
          spec: JSON.stringify(cluster.spec),
          observed: JSON.stringify(NOTHING_OBSERVED),
          driver: cluster.driver,
          database_name: cluster.database,
          database_user: cluster.user,
          current_operation_id: operation.id,
          created_by: cluster.createdBy,
          created_at: now,
          updated_at: now,
        });
        await tx<OperationRow>('operations').insert(
          operationRow(
            operation,
            { id: cluster.id, ...cluster.spec },
            now,
          ),
        );
      });
    } catch (error) {
      if (isDatabaseConflictError(error)) {
        throw new ConflictError(
          `A cluster named "${cluster.spec.name}" already exists`,
        );
      }
      throw error;
    }
    return {
      cluster: (await this.getCluster(cluster.id))!,
      operation: publicOperation((await this.getOperation(operation.id))!),
    };
  }

  async getCluster(id: string) {
    const row = await this.#db<ClusterRow>('clusters').where({ id }).first();
    return row ? toCluster(row) : undefined;
  }

  async listClusters(query: ClusterQuery) {
    const base = this.#db<ClusterRow>('clusters').where(builder => {
      if (query.permissionFilter) {
        applyPermissionFilter(builder, query.permissionFilter);
      }
      if (query.owner?.length) builder.whereIn('owner', query.owner);
      if (query.status?.length) builder.whereIn('status', query.status);
      if (query.search) {
        builder.where('name', 'like', `%${query.search.replace(/[%_\\]/g, '')}%`);
      }
    });
    const [{ count }] = await base.clone().count({ count: '*' });
    const rows = await base
      .clone()
      .orderBy([{ column: 'name' }, { column: 'id' }])
      .limit(query.limit)
      .offset(query.offset);
    return { items: rows.map(toCluster), totalCount: Number(count) };
  }

  async listAllClusters(owner?: string) {
    const rows = await this.#db<ClusterRow>('clusters')
      .modify(q => {
        if (owner) q.where({ owner });
      })
      .orderBy('created_at');
    return rows.map(toCluster);
  }

  async startOperation(
    clusterId: string,
    change: { spec: ClusterSpec; status: ClusterStatus },
    operation: NewOperation,
  ) {
    return (await this.#startOperation(clusterId, undefined, change, operation))!;
  }

  async startOperationIfUnchanged(
    expected: Cluster,
    change: { spec: ClusterSpec; status: ClusterStatus },
    operation: NewOperation,
  ) {
    return this.#startOperation(expected.id, expected.updatedAt, change, operation);
  }

  async #startOperation(
    clusterId: string,
    expectedUpdatedAt: string | undefined,
    change: { spec: ClusterSpec; status: ClusterStatus },
    operation: NewOperation,
  ) {
    const now = this.#clock().toISOString();
    try {
      const started = await this.#db.transaction(async tx => {
        const row = await tx<ClusterRow>('clusters')
          .where({ id: clusterId })
          .first();
        if (!row) throw new NotFoundError(`No cluster with id ${clusterId}`);
        if (expectedUpdatedAt && row.updated_at !== expectedUpdatedAt) return false;
        await tx<OperationRow>('operations').insert(
          operationRow(operation, row, now),
        );
        await tx<ClusterRow>('clusters').where({ id: clusterId }).update({
          spec: JSON.stringify(change.spec),
          status: change.status,
          status_message: null,
          current_operation_id: operation.id,
          updated_at: now,
        });
        return true;
      });
      if (!started) return undefined;
    } catch (error) {
      if (isDatabaseConflictError(error)) {
        const active = await this.#db<OperationRow>('operations')
          .where({ active_cluster_id: clusterId })
          .first();
        throw new ConflictError(
          active
            ? `The cluster has a ${active.type} operation in progress (${active.id}); try again when it has finished`
            : 'The cluster has an operation in progress',
        );
      }
      throw error;
    }
    return {
      cluster: (await this.getCluster(clusterId))!,
      operation: publicOperation((await this.getOperation(operation.id))!),
    };
  }

  async updateObserved(
    clusterId: string,
    observed: ClusterObserved,
    status?: { status: ClusterStatus; message?: string },
  ) {
    await this.#db<ClusterRow>('clusters')
      .where({ id: clusterId })
      .update({ observed: JSON.stringify(observed) });
    if (!status) return false;
    // A status from observation never overrides the status of an operation in progress.
    const changed = await this.#db<ClusterRow>('clusters')
        .where({ id: clusterId })
        .whereNull('current_operation_id')
        .andWhere(q =>
          q
            .whereNot('status', status.status)
            .orWhereRaw("coalesce(status_message, '') <> ?", [status.message ?? '']),
        )
        .update({
          status: status.status,
          status_message: status.message ?? null,
          updated_at: this.#clock().toISOString(),
        });
    return changed > 0;
  }

  async getOperation(id: string) {
    const row = await this.#db<OperationRow>('operations').where({ id }).first();
    return row ? toOperation(row) : undefined;
  }

  async findOperationByIdempotencyKey(key: string) {
    const row = await this.#db<OperationRow>('operations')
      .where({ idempotency_key: key })
      .first();
    return row ? toOperation(row) : undefined;
  }

  async listClusterOperations(clusterId: string, limit: number) {
    const rows = await this.#db<OperationRow>('operations')
      .where({ cluster_id: clusterId })
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit);
    return rows.map(row => publicOperation(toOperation(row)));
  }

  async claimOperation(workerId: string, leaseMs: number) {
    const now = this.#clock().getTime();
    const candidates = await this.#db<OperationRow>('operations')
      .whereIn('state', ['pending', 'running'])
      .andWhere(q =>
        q.whereNull('lease_expires_at').orWhere('lease_expires_at', '<', now),
      )
      .andWhere(q => q.whereNull('not_before').orWhere('not_before', '<=', now))
      .orderBy('created_at')
      .limit(5);
    for (const candidate of candidates) {
      // Optimistic claim: only one replica's update matches the lease it read.
      const claimed = await this.#db<OperationRow>('operations')
        .where({ id: candidate.id })
        .andWhere(q =>
          candidate.lease_expires_at === null
            ? q.whereNull('lease_expires_at')
            : q.where('lease_expires_at', candidate.lease_expires_at),
        )
        .whereIn('state', ['pending', 'running'])
        .update({
          state: 'running',
          lease_owner: workerId,
          lease_expires_at: now + leaseMs,
          attempts: Number(candidate.attempts) + 1,
          steps: '[]',
          updated_at: new Date(now).toISOString(),
        });
      if (claimed === 1) {
        return this.getOperation(candidate.id);
      }
    }
    return undefined;
  }

  async renewLease(operationId: string, workerId: string, leaseMs: number) {
    const updated = await this.#db<OperationRow>('operations')
      .where({ id: operationId, lease_owner: workerId, state: 'running' })
      .update({ lease_expires_at: this.#clock().getTime() + leaseMs });
    return updated === 1;
  }

  async recordSteps(operationId: string, workerId: string, steps: OperationStep[]) {
    await this.#db<OperationRow>('operations')
      .where({ id: operationId, lease_owner: workerId })
      .update({
        steps: JSON.stringify(steps),
        updated_at: this.#clock().toISOString(),
      });
  }

  async finishOperation(
    operationId: string,
    workerId: string,
    outcome: {
      state: 'succeeded' | 'failed';
      error?: string;
      clusterStatus?: ClusterStatus;
      deleteCluster?: boolean;
    },
  ) {
    const now = this.#clock().toISOString();
    return this.#db.transaction(async tx => {
      const row = await tx<OperationRow>('operations')
        .where({ id: operationId, lease_owner: workerId, state: 'running' })
        .first();
      if (!row) {
        throw new ConflictError(`Operation ${operationId} is no longer held by this worker`);
      }
      await tx<OperationRow>('operations').where({ id: operationId }).update({
        state: outcome.state,
        error: outcome.error ?? null,
        active_cluster_id: null,
        lease_owner: null,
        lease_expires_at: null,
        updated_at: now,
        finished_at: now,
      });
      if (outcome.deleteCluster) {
        await tx<ClusterRow>('clusters').where({ id: row.cluster_id }).delete();
      } else {
        await tx<ClusterRow>('clusters')
          .where({ id: row.cluster_id, current_operation_id: operationId })
          .update({
            current_operation_id: null,
            ...(outcome.clusterStatus ? { status: outcome.clusterStatus } : {}),
            status_message: outcome.error ?? null,
            updated_at: now,
          });
      }
      return { clusterId: row.cluster_id, clusterName: row.cluster_name };
    });
  }

  async retryOperation(
    operationId: string,
    workerId: string,
    error: string,
    notBefore: number,
  ) {
    await this.#db<OperationRow>('operations')
      .where({ id: operationId, lease_owner: workerId })
      .update({
        state: 'pending',
        error,
        lease_owner: null,
        lease_expires_at: null,
        not_before: notBefore,
        updated_at: this.#clock().toISOString(),
      });
  }
}

/** Turns the permission framework's criteria (from IS_CLUSTER_OWNER) into a WHERE clause. */
function applyPermissionFilter(
  builder: Knex.QueryBuilder,
  criteria: PermissionCriteria<ClusterFilter>,
): void {
  if (isAndCriteria(criteria)) {
    criteria.allOf.forEach(c => builder.andWhere(b => applyPermissionFilter(b, c)));
  } else if (isOrCriteria(criteria)) {
    builder.andWhere(b => {
      criteria.anyOf.forEach(c => b.orWhere(inner => applyPermissionFilter(inner, c)));
    });
  } else if (isNotCriteria(criteria)) {
    builder.whereNot(b => applyPermissionFilter(b, criteria.not));
  } else if (criteria.values.length === 0) {
    builder.whereRaw('1 = 0');
  } else {
    builder.whereIn(criteria.key, criteria.values);
  }
}
