import { DatabaseService, isDatabaseConflictError } from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import { ClusterStatus, DEFAULT_PLAN_NAME, OperationStep } from '@orochi/backstage-plugin-orochi-common';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { openAccount } from './BillingAccountStore';
import { recordDeletedCluster } from './DeletedClusterStore';
import { migratedClient } from './migrate';
import {
  ClusterChangeRequest,
  ClusterObserved,
  ClusterQuery,
  NewCluster,
  NewOperation,
  OperationOutcome,
  OrochiStore,
  OwnerGuard,
} from './OrochiStore';
import { applyPermissionFilter } from './permissionFilter';
import {
  ClusterRow,
  NOTHING_OBSERVED,
  operationRow,
  OperationRow,
  publicOperation,
  toCluster,
  toOperation,
} from './rows';

/** The knex implementation of {@link OrochiStore}, on SQLite or PostgreSQL. */
export class DatabaseOrochiStore implements OrochiStore {
  static async create(options: { database: DatabaseService; clock?: () => Date }): Promise<DatabaseOrochiStore> {
    return new DatabaseOrochiStore(await migratedClient(options.database), options.clock ?? (() => new Date()));
  }

  readonly #db: Knex;
  readonly #clock: () => Date;

  private constructor(db: Knex, clock: () => Date) {
    this.#db = db;
    this.#clock = clock;
  }

  async createCluster(cluster: NewCluster, operation: NewOperation, guard?: OwnerGuard) {
    const now = this.#clock().toISOString();
    try {
      await this.#db.transaction(async tx => {
        await openAccount(tx, cluster.spec.owner, cluster.defaultPlan ?? DEFAULT_PLAN_NAME, now);
        await this.#guardOwner(tx, cluster.spec.owner, undefined, guard);
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
        await tx<OperationRow>('operations').insert(operationRow(operation, { id: cluster.id, ...cluster.spec }, now));
      });
    } catch (error) {
      if (isDatabaseConflictError(error)) {
        throw new ConflictError(`A cluster named "${cluster.spec.name}" already exists`);
      }
      throw error;
    }
    return {
      cluster: (await this.getCluster(cluster.id))!,
      operation: publicOperation((await this.getOperation(operation.id))!),
    };
  }

  async getCluster(id: string) {
    const row = await this.#withPlan(this.#db<ClusterRow>('clusters').where({ id })).first();
    return row ? toCluster(row) : undefined;
  }

  async listClusters(query: ClusterQuery) {
    const base = this.#db<ClusterRow>('clusters').where(builder => {
      if (query.permissionFilter) applyPermissionFilter(builder, query.permissionFilter);
      if (query.owner?.length) builder.whereIn('owner', query.owner);
      if (query.status?.length) builder.whereIn('status', query.status);
      if (query.search) builder.where('name', 'like', `%${query.search.replace(/[%_\\]/g, '')}%`);
    });
    const [{ count }] = await base.clone().count({ count: '*' });
    const rows = await this.#withPlan(base.clone())
      .orderBy([{ column: 'name' }, { column: 'id' }])
      .limit(query.limit)
      .offset(query.offset);
    return { items: rows.map(toCluster), totalCount: Number(count) };
  }

  async listAllClusters(owner?: string) {
    const rows = await this.#withPlan(this.#db<ClusterRow>('clusters'))
      .modify(q => {
        if (owner) q.where({ owner });
      })
      .orderBy('created_at');
    return rows.map(toCluster);
  }

  async startOperation(clusterId: string, change: ClusterChangeRequest, operation: NewOperation) {
    const now = this.#clock().toISOString();
    try {
      const started = await this.#db.transaction(async tx => {
        const row = await tx<ClusterRow>('clusters').where({ id: clusterId }).first();
        if (!row) throw new NotFoundError(`No cluster with id ${clusterId}`);
        if (change.ifUpdatedAt && row.updated_at !== change.ifUpdatedAt) return false;
        await this.#guardOwner(tx, row.owner, clusterId, change.guard);
        await tx<OperationRow>('operations').insert(operationRow(operation, row, now));
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
        const active = await this.#db<OperationRow>('operations').where({ active_cluster_id: clusterId }).first();
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

  /**
   * Runs the guard on the owner's clusters (other than `exceptId`) while no other transaction can add one: on
   * PostgreSQL under a transaction-scoped advisory lock per owner; SQLite runs one write transaction at a time.
   */
  async #guardOwner(tx: Knex.Transaction, owner: string, exceptId: string | undefined, guard?: OwnerGuard) {
    if (!guard) return;
    if (tx.client.config.client === 'pg') {
      await tx.raw('select pg_advisory_xact_lock(hashtext(?))', [`orochi-owner:${owner}`]);
    } else {
      // Takes SQLite's write lock now, before reading, so a concurrent transaction waits for this one.
      await tx<ClusterRow>('clusters').where({ owner, id: '' }).update({ owner });
    }
    const account: { plan: string; suspension: string | null } | undefined = await tx('billing_accounts')
      .where({ group_ref: owner })
      .first();
    if (!account) throw new Error(`${owner} has no billing account`);
    const rows = await this.#withPlan(tx<ClusterRow>('clusters'))
      .where({ owner })
      .modify(q => {
        if (exceptId) q.whereNot({ id: exceptId });
      });
    const suspension = account.suspension ? JSON.parse(account.suspension).reason : undefined;
    guard(rows.map(toCluster), { plan: account.plan, ...(suspension ? { suspension } : {}) });
  }

  /** Selects a cluster query's rows with their owner's plan, from the owner's billing account. */
  #withPlan(query: Knex.QueryBuilder<ClusterRow>) {
    const plan = this.#db('billing_accounts').select('plan').whereRaw('billing_accounts.group_ref = clusters.owner');
    return query.select('clusters.*', plan.as('plan')) as unknown as Knex.QueryBuilder<ClusterRow, ClusterRow[]>;
  }

  async recordMissingComputeUnits(computeUnitsOf: (size: string) => number | undefined) {
    for (const row of await this.#db<ClusterRow>('clusters').select('id', 'spec')) {
      const spec = JSON.parse(row.spec);
      const cu = spec.cu === undefined ? computeUnitsOf(spec.size) : undefined;
      if (cu === undefined) continue;
      await this.#db<ClusterRow>('clusters')
        .where({ id: row.id, spec: row.spec })
        .update({ spec: JSON.stringify({ ...spec, cu }) });
    }
  }

  async updateObserved(
    clusterId: string,
    observed: ClusterObserved,
    status?: { status: ClusterStatus; message?: string; ifUpdatedAt?: string },
  ) {
    await this.#db<ClusterRow>('clusters').where({ id: clusterId }).update({ observed: JSON.stringify(observed) });
    if (!status) return false;
    // A status from observation never overrides an operation in progress, nor a change made since it was read.
    const changed = await this.#db<ClusterRow>('clusters')
      .where({ id: clusterId })
      .whereNull('current_operation_id')
      .modify(q => {
        if (status.ifUpdatedAt) q.where({ updated_at: status.ifUpdatedAt });
      })
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
    const row = await this.#db<OperationRow>('operations').where({ idempotency_key: key }).first();
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

  async claimOperation(workerId: string, leaseMs: number, excludeIds: string[] = []) {
    const now = this.#clock().getTime();
    const candidates = await this.#db<OperationRow>('operations')
      .whereIn('state', ['pending', 'running'])
      .whereNotIn('id', excludeIds)
      .andWhere(q => q.whereNull('lease_expires_at').orWhere('lease_expires_at', '<', now))
      .andWhere(q => q.whereNull('not_before').orWhere('not_before', '<=', now))
      .orderBy('created_at')
      .limit(5);
    for (const candidate of candidates) {
      // A token per claim: a run that lost its lease cannot write over the claim that replaced it.
      const leaseToken = `${workerId}/${randomUUID()}`;
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
          lease_owner: leaseToken,
          lease_expires_at: now + leaseMs,
          attempts: Number(candidate.attempts) + 1,
          steps: '[]',
          updated_at: new Date(now).toISOString(),
        });
      if (claimed === 1) {
        const operation = await this.getOperation(candidate.id);
        return operation && { ...operation, leaseToken };
      }
    }
    return undefined;
  }

  async renewLease(operationId: string, leaseToken: string, leaseMs: number) {
    const updated = await this.#db<OperationRow>('operations')
      .where({ id: operationId, lease_owner: leaseToken, state: 'running' })
      .update({ lease_expires_at: this.#clock().getTime() + leaseMs });
    return updated === 1;
  }

  async recordSteps(operationId: string, leaseToken: string, steps: OperationStep[]) {
    await this.#db<OperationRow>('operations')
      .where({ id: operationId, lease_owner: leaseToken })
      .update({ steps: JSON.stringify(steps), updated_at: this.#clock().toISOString() });
  }

  async finishOperation(operationId: string, leaseToken: string, outcome: OperationOutcome) {
    const now = this.#clock().toISOString();
    return this.#db.transaction(async tx => {
      const row = await tx<OperationRow>('operations')
        .where({ id: operationId, lease_owner: leaseToken, state: 'running' })
        .first();
      if (!row) {
        throw new ConflictError(`Operation ${operationId} is no longer held by this claim`);
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
        const cluster = await this.#withPlan(tx<ClusterRow>('clusters')).where({ id: row.cluster_id }).first();
        // Its backups outlive it for a grace period; the record says what it was, so an admin can restore it.
        if (cluster) await recordDeletedCluster(tx, cluster, row.requested_by, now);
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

  async retryOperation(operationId: string, leaseToken: string, error: string, notBefore: number) {
    await this.#db<OperationRow>('operations')
      .where({ id: operationId, lease_owner: leaseToken })
      .update({
        state: 'pending',
        error,
        lease_owner: null,
        lease_expires_at: null,
        not_before: notBefore,
        updated_at: this.#clock().toISOString(),
      });
  }

  async pruneOperations(finishedBefore: Date) {
    return this.#db<OperationRow>('operations')
      .whereIn('state', ['succeeded', 'failed'])
      .where('finished_at', '<', finishedBefore.toISOString())
      .delete();
  }
}
