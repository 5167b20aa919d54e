import { mockServices } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import { clusterSpec, createTestDatabases } from '@orochi/test-utils';
import { randomUUID } from 'node:crypto';
import { DatabaseOrochiStore } from './DatabaseOrochiStore';

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
      { id: randomUUID(), type: 'create', requestedBy: 'user:default/pat' },
    );
  }

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
      store.startOperation(cluster.id, { spec: { ...spec('orders-db'), instances: 2 }, status: 'updating' }, { id: randomUUID(), type: 'update', requestedBy: 'user:default/pat' }),
    ).rejects.toThrow(/create operation in progress/);
  });

  it('lets exactly one worker claim an operation and hands it over when the lease expires', async () => {
    const { store } = await createStore();
    const { operation } = await createCluster(store, 'orders-db');
    const claimed = await store.claimOperation('worker-a', 60_000);
    expect(claimed).toMatchObject({ id: operation.id, state: 'running', attempts: 1 });
    expect(await store.claimOperation('worker-b', 60_000)).toBeUndefined();

    // worker-a dies: its lease lapses and worker-b resumes the operation
    await store.renewLease(operation.id, 'worker-a', -1);
    const resumed = await store.claimOperation('worker-b', 60_000);
    expect(resumed).toMatchObject({ id: operation.id, attempts: 2 });
    expect(await store.renewLease(operation.id, 'worker-a', 60_000)).toBe(false);
  });

  it('finishes an operation, settles the cluster status and frees the cluster for the next operation', async () => {
    const { store } = await createStore();
    const { cluster, operation } = await createCluster(store, 'orders-db');
    await store.claimOperation('worker-a', 60_000);
    await store.recordSteps(operation.id, 'worker-a', [{ name: 'Start primary', state: 'succeeded' }]);
    await store.finishOperation(operation.id, 'worker-a', { state: 'succeeded', clusterStatus: 'ready' });

    expect(await store.getCluster(cluster.id)).toMatchObject({ status: 'ready' });
    expect((await store.getCluster(cluster.id))?.currentOperationId).toBeUndefined();
    expect(await store.getOperation(operation.id)).toMatchObject({ state: 'succeeded', steps: [{ name: 'Start primary', state: 'succeeded' }] });

    const next = await store.startOperation(cluster.id, { spec: { ...spec('orders-db'), hibernated: true }, status: 'hibernating' }, { id: randomUUID(), type: 'hibernate', requestedBy: 'user:default/pat' });
    expect(next.cluster).toMatchObject({ status: 'hibernating', hibernated: true });
  });

  it('deletes the cluster row when a delete operation succeeds and keeps the operation', async () => {
    const { store } = await createStore();
    const { cluster, operation } = await createCluster(store, 'orders-db');
    await store.claimOperation('w', 60_000);
    await store.finishOperation(operation.id, 'w', { state: 'succeeded', clusterStatus: 'ready' });
    const deletion = await store.startOperation(cluster.id, { spec: spec('orders-db'), status: 'deleting' }, { id: randomUUID(), type: 'delete', requestedBy: 'user:default/pat' });
    await store.claimOperation('w', 60_000);
    await store.finishOperation(deletion.operation.id, 'w', { state: 'succeeded', deleteCluster: true });
    expect(await store.getCluster(cluster.id)).toBeUndefined();
    expect(await store.getOperation(deletion.operation.id)).toMatchObject({ state: 'succeeded', clusterOwner: 'group:default/team-payments' });
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

    await store.claimOperation('w', 60_000);
    await store.finishOperation(operation.id, 'w', { state: 'succeeded', clusterStatus: 'ready' });
    await store.updateObserved(cluster.id, observed, { status: 'failed', message: 'down' });
    expect(await store.getCluster(cluster.id)).toMatchObject({ status: 'failed', statusMessage: 'down' });
  });
});
