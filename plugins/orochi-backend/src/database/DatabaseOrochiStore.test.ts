import { mockServices } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import { clusterSpec, createTestDatabases } from '@orochi/test-utils';
import { randomUUID } from 'node:crypto';
import { DatabaseOrochiStore } from './DatabaseOrochiStore';
import { NewOperation } from './OrochiStore';

jest.setTimeout(60_000);

const databases = createTestDatabases();

const spec = (name: string, owner?: string) => clusterSpec(name, owner ? { owner } : {});

describe.each(databases.eachSupportedId())('DatabaseOrochiStore on %p', databaseId => {
  async function createStore() {
    const knex = await databases.init(databaseId);
    const store = await DatabaseOrochiStore.create({ database: mockServices.database({ knex }) });
    return { knex, store };
  }

  async function createCluster(store: DatabaseOrochiStore, name: string, owner?: string) {
    return store.createCluster(
      { id: randomUUID(), spec: spec(name, owner), status: 'provisioning', driver: 'local', database: 'app', user: 'app', createdBy: 'user:default/pat' },
      { id: randomUUID(), request: { type: 'create', parameters: {} }, requestedBy: 'user:default/pat' },
    );
  }

  /** Claims the next operation as `worker` and answers its lease token. */
  async function claim(store: DatabaseOrochiStore, worker = 'w') {
    const claimed = await store.claimOperation(worker, 60_000);
    if (!claimed) throw new Error('nothing to claim');
    return claimed.leaseToken;
  }

  const op = (type: 'update' | 'hibernate' | 'delete'): NewOperation => ({
    id: randomUUID(),
    request: type === 'update' ? { type, parameters: { from: { instances: 1 }, to: { instances: 2 } } } : { type, parameters: {} },
    requestedBy: 'user:default/pat',
  });

  it('creates a cluster together with its pending create operation', async () => {
    const { store } = await createStore();
    const { cluster, operation } = await createCluster(store, 'orders-db');
    expect(cluster).toMatchObject({ name: 'orders-db', status: 'provisioning', currentOperationId: operation.id, endpoints: [] });
    expect(operation).toMatchObject({ type: 'create', state: 'pending', clusterId: cluster.id, attempts: 0 });
    expect(await store.getCluster(cluster.id)).toEqual(cluster);
  });

  it('refuses a second cluster with the same name and writes nothing for it', async () => {
    const { store, knex } = await createStore();
    await createCluster(store, 'orders-db');
    await expect(createCluster(store, 'orders-db')).rejects.toThrow(ConflictError);
    const rows = async (table: string) => Number((await knex(table).count({ n: '*' }))[0].n);
    expect(await rows('clusters')).toBe(1);
    expect(await rows('operations')).toBe(1);
  });

  it('allows one active operation per cluster', async () => {
    const { store } = await createStore();
    const { cluster } = await createCluster(store, 'orders-db');
    await expect(
      store.startOperation(cluster.id, { spec: { ...spec('orders-db'), instances: 2 }, status: 'updating' }, op('update')),
    ).rejects.toThrow(/create operation in progress/);
  });

  it('lets exactly one worker claim an operation and hands it over when the lease expires', async () => {
    const { store } = await createStore();
    const { operation } = await createCluster(store, 'orders-db');
    const claimed = await store.claimOperation('worker-a', 60_000);
    expect(claimed).toMatchObject({ id: operation.id, state: 'running', attempts: 1 });
    expect(await store.claimOperation('worker-b', 60_000)).toBeUndefined();

    // worker-a dies: its lease lapses and worker-b resumes the operation
    await store.renewLease(operation.id, claimed!.leaseToken, -1);
    const resumed = await store.claimOperation('worker-b', 60_000);
    expect(resumed).toMatchObject({ id: operation.id, attempts: 2 });
    expect(await store.renewLease(operation.id, claimed!.leaseToken, 60_000)).toBe(false);
  });

  it('gives every claim its own token, so a run that lost its lease cannot write over the one that replaced it', async () => {
    const { store } = await createStore();
    const { cluster, operation } = await createCluster(store, 'orders-db');
    const first = await store.claimOperation('worker-a', 60_000);
    await store.renewLease(operation.id, first!.leaseToken, -1);
    // The same worker claims it again (its lease lapsed): a new claim, a new token.
    const second = await store.claimOperation('worker-a', 60_000);
    expect(second!.leaseToken).not.toBe(first!.leaseToken);
    await store.recordSteps(operation.id, first!.leaseToken, [{ name: 'stale', state: 'running' }]);
    await expect(store.finishOperation(operation.id, first!.leaseToken, { state: 'failed', error: 'stale' })).rejects.toThrow(ConflictError);
    expect(await store.getOperation(operation.id)).toMatchObject({ state: 'running', steps: [] });
    expect(await store.getCluster(cluster.id)).toMatchObject({ status: 'provisioning' });
  });

  it('never hands a worker an operation it says it still runs', async () => {
    const { store } = await createStore();
    const { operation } = await createCluster(store, 'orders-db');
    const first = await store.claimOperation('worker-a', 60_000);
    await store.renewLease(operation.id, first!.leaseToken, -1);
    expect(await store.claimOperation('worker-a', 60_000, [operation.id])).toBeUndefined();
  });

  it('stores each operation with its type, parameters and reason', async () => {
    const { store } = await createStore();
    const { cluster, operation } = await createCluster(store, 'orders-db');
    expect(operation).toMatchObject({ type: 'create', parameters: {} });
    await store.finishOperation(operation.id, await claim(store), { state: 'succeeded', clusterStatus: 'ready' });
    const started = await store.startOperation(
      cluster.id,
      { spec: { ...spec('orders-db'), instances: 2 }, status: 'updating' },
      { ...op('update'), requestedBy: 'orochi:reconciler', reason: 'the servers are not running' },
    );
    expect(await store.getOperation(started!.operation.id)).toMatchObject({
      type: 'update',
      parameters: { from: { instances: 1 }, to: { instances: 2 } },
      requestedBy: 'orochi:reconciler',
      reason: 'the servers are not running',
    });
  });

  it('prunes finished operations older than the cutoff, never active or recent ones', async () => {
    const { store, knex } = await createStore();
    const { cluster, operation } = await createCluster(store, 'orders-db');
    await store.finishOperation(operation.id, await claim(store), { state: 'succeeded', clusterStatus: 'ready' });
    await knex('operations').where({ id: operation.id }).update({ finished_at: '2020-01-01T00:00:00.000Z' });
    const recent = await store.startOperation(cluster.id, { spec: spec('orders-db'), status: 'hibernating' }, op('hibernate'));
    await store.finishOperation(recent!.operation.id, await claim(store), { state: 'succeeded', clusterStatus: 'hibernated' });
    const active = await store.startOperation(cluster.id, { spec: spec('orders-db'), status: 'updating' }, op('update'));

    expect(await store.pruneOperations(new Date(Date.now() - 86_400_000))).toBe(1);
    expect(await store.getOperation(operation.id)).toBeUndefined();
    expect(await store.getOperation(recent!.operation.id)).toBeDefined();
    expect(await store.getOperation(active!.operation.id)).toMatchObject({ state: 'pending' });
  });

  it('runs the owner guard atomically: of two concurrent creates under a one-cluster limit, one passes', async () => {
    const { store, knex } = await createStore();
    const oneCluster = (others: unknown[]) => {
      if (others.length >= 1) throw new ConflictError('plan: one cluster per team');
    };
    const create = (name: string) =>
      store.createCluster(
        { id: randomUUID(), spec: spec(name), status: 'provisioning', driver: 'local', database: 'app', user: 'app', createdBy: 'user:default/pat' },
        { id: randomUUID(), request: { type: 'create', parameters: {} }, requestedBy: 'user:default/pat' },
        oneCluster,
      );
    const results = await Promise.allSettled([create('first-db'), create('second-db'), create('third-db')]);
    expect(results.filter(r => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter(r => r.status === 'rejected').map(r => (r as PromiseRejectedResult).reason)).toEqual([
      expect.any(ConflictError),
      expect.any(ConflictError),
    ]);
    expect(Number((await knex('clusters').count({ n: '*' }))[0].n)).toBe(1);
    expect(Number((await knex('operations').count({ n: '*' }))[0].n)).toBe(1);
  });

  it('finishes an operation, settles the cluster status and frees the cluster for the next operation', async () => {
    const { store } = await createStore();
    const { cluster, operation } = await createCluster(store, 'orders-db');
    const token = await claim(store, 'worker-a');
    await store.recordSteps(operation.id, token, [{ name: 'Start primary', state: 'succeeded' }]);
    await store.finishOperation(operation.id, token, { state: 'succeeded', clusterStatus: 'ready' });

    expect(await store.getCluster(cluster.id)).toMatchObject({ status: 'ready' });
    expect((await store.getCluster(cluster.id))?.currentOperationId).toBeUndefined();
    expect(await store.getOperation(operation.id)).toMatchObject({ state: 'succeeded', steps: [{ name: 'Start primary', state: 'succeeded' }] });

    const next = await store.startOperation(cluster.id, { spec: { ...spec('orders-db'), hibernated: true }, status: 'hibernating' }, op('hibernate'));
    expect(next!.cluster).toMatchObject({ status: 'hibernating', hibernated: true });
  });

  it('deletes the cluster row when a delete operation succeeds and keeps the operation', async () => {
    const { store } = await createStore();
    const { cluster, operation } = await createCluster(store, 'orders-db');
    await store.finishOperation(operation.id, await claim(store), { state: 'succeeded', clusterStatus: 'ready' });
    const deletion = await store.startOperation(cluster.id, { spec: spec('orders-db'), status: 'deleting' }, op('delete'));
    await store.finishOperation(deletion!.operation.id, await claim(store), { state: 'succeeded', deleteCluster: true });
    expect(await store.getCluster(cluster.id)).toBeUndefined();
    expect(await store.getOperation(deletion!.operation.id)).toMatchObject({ state: 'succeeded', clusterOwner: 'group:default/team-payments' });
  });

  it('lists clusters by permission filter, owner, status and name, in pages', async () => {
    const { store } = await createStore();
    await createCluster(store, 'alpha-db', 'group:default/team-payments');
    await createCluster(store, 'beta-db', 'group:default/team-search');
    await createCluster(store, 'gamma-db', 'group:default/team-search');

    const owned = await store.listClusters({ permissionFilter: { key: 'owner', values: ['group:default/team-search'] }, limit: 10, offset: 0 });
    expect(owned.items.map(c => c.name)).toEqual(['beta-db', 'gamma-db']);

    const notOwned = await store.listClusters({ permissionFilter: { not: { key: 'owner', values: ['group:default/team-search'] } }, limit: 10, offset: 0 });
    expect(notOwned.items.map(c => c.name)).toEqual(['alpha-db']);

    const either = await store.listClusters({
      permissionFilter: { anyOf: [{ key: 'owner', values: ['group:default/team-payments'] }, { key: 'owner', values: [] }] },
      limit: 10,
      offset: 0,
    });
    expect(either.items.map(c => c.name)).toEqual(['alpha-db']);

    const page = await store.listClusters({ limit: 2, offset: 1 });
    expect(page).toMatchObject({ totalCount: 3 });
    expect(page.items.map(c => c.name)).toEqual(['beta-db', 'gamma-db']);

    expect((await store.listClusters({ search: 'mm', limit: 10, offset: 0 })).items.map(c => c.name)).toEqual(['gamma-db']);
    expect((await store.listClusters({ status: ['ready'], limit: 10, offset: 0 })).totalCount).toBe(0);
  });

  it('records observations and lets them set the status only while no operation runs', async () => {
    const { store } = await createStore();
    const { cluster, operation } = await createCluster(store, 'orders-db');
    const observed = { conditions: [], endpoints: [{ role: 'primary' as const, host: 'localhost', port: 5432 }], readyInstances: 1 };
    await store.updateObserved(cluster.id, observed, { status: 'failed', message: 'down' });
    expect(await store.getCluster(cluster.id)).toMatchObject({ status: 'provisioning', endpoints: observed.endpoints });

    await store.finishOperation(operation.id, await claim(store), { state: 'succeeded', clusterStatus: 'ready' });
    await store.updateObserved(cluster.id, observed, { status: 'failed', message: 'down' });
    expect(await store.getCluster(cluster.id)).toMatchObject({ status: 'failed', statusMessage: 'down' });
  });

  it('does not let an observation made before a change set the status after it', async () => {
    const { store } = await createStore();
    const { cluster, operation } = await createCluster(store, 'orders-db');
    await store.finishOperation(operation.id, await claim(store), { state: 'succeeded', clusterStatus: 'ready' });
    const read = await store.getCluster(cluster.id);
    // A hibernate starts and finishes while the reconciler observes.
    const hibernate = await store.startOperation(cluster.id, { spec: { ...spec('orders-db'), hibernated: true }, status: 'hibernating' }, op('hibernate'));
    await store.finishOperation(hibernate!.operation.id, await claim(store), { state: 'succeeded', clusterStatus: 'hibernated' });
    const observed = { conditions: [], endpoints: [], readyInstances: 0 };
    expect(await store.updateObserved(cluster.id, observed, { status: 'failed', message: 'The servers are not running', ifUpdatedAt: read!.updatedAt })).toBe(false);
    expect(await store.getCluster(cluster.id)).toMatchObject({ status: 'hibernated' });
  });
});
