import { mockServices } from '@backstage/backend-test-utils';
import { fakeDriver } from '../__testUtils__/fakeDriver';
import { clusterSpec, createTestDatabases } from '@orochi/test-utils';
import { ClusterDriver, ClusterObservation } from '@orochi/backstage-plugin-orochi-node';
import { randomUUID } from 'node:crypto';
import { DatabaseOrochiStore } from '../database/DatabaseOrochiStore';
import { DatabaseOrphanStore } from '../database/OrphanStore';
import { ClusterOperations } from '../operations/ClusterOperations';
import { OrphanTracker } from './OrphanTracker';
import { Reconciler } from './Reconciler';

jest.setTimeout(60_000);

const databases = createTestDatabases();

const observation = (phase: ClusterObservation['phase']): ClusterObservation => ({
  phase,
  instances: 1,
  readyInstances: phase === 'running' ? 1 : 0,
  endpoints: [],
  conditions: [],
});

/** A driver that holds what the test says and observes what the test says; the reconciler's logic is under test. */
function driverHolding(options: { ids?: string[]; observe?: () => Promise<ClusterObservation> } = {}) {
  return fakeDriver({
    observe: jest.fn(options.observe ?? (async () => observation('running'))),
    listClusterIds: jest.fn(async () => options.ids ?? []),
  });
}

async function setup(driver: ClusterDriver, options: { deleteOrphansAfterMs?: number; clock?: () => number } = {}) {
  const database = mockServices.database({ knex: await databases.init('SQLITE_3') });
  // Strictly increasing, so operations written in one millisecond are still listed in the order they were made.
  let last = 0;
  const clock = options.clock ?? (() => (last = Math.max(Date.now(), last + 1)));
  const store = await DatabaseOrochiStore.create({ database, clock: () => new Date(clock()) });
  const operations = new ClusterOperations({ store, onStarted: () => undefined });
  const orphans = new OrphanTracker({
    store,
    orphans: await DatabaseOrphanStore.create({ database }),
    driver,
    driverName: 'fake',
    logger: mockServices.logger.mock(),
    deleteAfterMs: options.deleteOrphansAfterMs,
    clock: options.clock,
  });
  const reconciler = new Reconciler({ store, driver, operations, orphans, logger: mockServices.logger.mock(), clock: options.clock });

  /** Plays the worker: finishes the operation waiting to run, as succeeded. */
  const finishRunning = async () => {
    const claimed = await store.claimOperation('test-worker', 60_000);
    if (!claimed) throw new Error('no operation to finish');
    const cluster = await store.getCluster(claimed.clusterId);
    await store.finishOperation(claimed.id, claimed.leaseToken, {
      state: 'succeeded',
      clusterStatus: cluster?.hibernated ? 'hibernated' : 'ready',
    });
    return claimed;
  };
  /** A cluster whose create finished, ready. */
  const readyCluster = async (name: string) => {
    const { cluster } = await store.createCluster(
      { id: randomUUID(), spec: clusterSpec(name), status: 'provisioning', driver: 'fake', database: 'app', user: 'app', createdBy: 'user:default/pat' },
      { id: randomUUID(), request: { type: 'create', parameters: {} }, requestedBy: 'user:default/pat' },
    );
    await finishRunning();
    return (await store.getCluster(cluster.id))!;
  };
  return { store, operations, orphans, reconciler, readyCluster, finishRunning };
}

describe('Reconciler', () => {
  it('reports what the driver holds for unknown clusters as orphans and never deletes them by default', async () => {
    const driver = driverHolding({ ids: ['restored-elsewhere'] });
    const { reconciler, orphans, readyCluster } = await setup(driver);
    const known = await readyCluster('orders-db');
    driver.listClusterIds.mockResolvedValue(['restored-elsewhere', known.id]);

    await reconciler.reconcileAll();
    await reconciler.reconcileAll();

    expect(driver.deleteOrphan).not.toHaveBeenCalled();
    expect(await orphans.list()).toEqual([expect.objectContaining({ clusterId: 'restored-elsewhere', driver: 'fake' })]);
  });

  it('deletes an orphan only once the configured grace period has passed since it was first seen', async () => {
    let now = Date.parse('2026-12-01T00:00:00Z');
    const driver = driverHolding({ ids: ['gone-for-good'] });
    const { reconciler, orphans } = await setup(driver, { deleteOrphansAfterMs: 3_600_000, clock: () => now });

    await reconciler.reconcileAll();
    now += 3_599_000;
    await reconciler.reconcileAll();
    expect(driver.deleteOrphan).not.toHaveBeenCalled();

    now += 1_000;
    await reconciler.reconcileAll();
    expect(driver.deleteOrphan).toHaveBeenCalledWith('gone-for-good');
    expect(await orphans.list()).toEqual([]);
  });

  it('does not mark a cluster hibernated during its observation as failed, nor repair it', async () => {
    let hibernateDuringObservation: (() => Promise<void>) | undefined;
    const driver = driverHolding({
      observe: async () => {
        await hibernateDuringObservation?.();
        hibernateDuringObservation = undefined;
        return observation('stopped');
      },
    });
    const { store, operations, reconciler, readyCluster, finishRunning } = await setup(driver);
    const cluster = await readyCluster('orders-db');
    hibernateDuringObservation = async () => {
      await operations.start(cluster, { type: 'hibernate', parameters: {} }, { ...clusterSpec('orders-db'), hibernated: true }, { requestedBy: 'user:default/pat' });
      await finishRunning();
    };

    await reconciler.reconcileAll();

    expect(await store.getCluster(cluster.id)).toMatchObject({ status: 'hibernated', hibernated: true });
    expect((await store.listClusterOperations(cluster.id, 10)).map(o => o.type)).toEqual(['hibernate', 'create']);
  });

  it('repairs a crash-looping cluster ever less often, recording who started each repair and why', async () => {
    let now = Date.now();
    const driver = driverHolding({ observe: async () => observation('stopped') });
    // Time moves on a little with every reading, so operations are ordered as they happened.
    const { store, reconciler, readyCluster, finishRunning } = await setup(driver, { clock: () => ++now });
    const cluster = await readyCluster('looping-db');
    const repairs = async () =>
      (await store.listClusterOperations(cluster.id, 50)).filter(o => o.requestedBy === 'orochi:reconciler');

    // First pass: a wake, started by the reconciler with the reason. The servers start, then stop again.
    await reconciler.reconcileAll();
    expect(await repairs()).toEqual([
      expect.objectContaining({ type: 'wake', requestedBy: 'orochi:reconciler', reason: 'The servers are not running' }),
    ]);
    await finishRunning();

    // Passes right after start nothing; after 30 s the second repair, after another 30 s nothing (60 s now).
    await reconciler.reconcileAll();
    expect(await repairs()).toHaveLength(1);
    now += 31_000;
    await reconciler.reconcileAll();
    expect(await repairs()).toHaveLength(2);
    await finishRunning();
    now += 31_000;
    await reconciler.reconcileAll();
    expect(await repairs()).toHaveLength(2);
    now += 30_000;
    await reconciler.reconcileAll();
    expect(await repairs()).toHaveLength(3);
  });
});
