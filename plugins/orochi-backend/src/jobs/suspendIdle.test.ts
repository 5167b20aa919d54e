import { SchedulerService } from '@backstage/backend-plugin-api';
import { createTestDatabases } from '@orochi/test-utils';
import { fakeDriver } from '../__testUtils__/fakeDriver';
import { servicesOver } from '../__testUtils__/services';
import { scheduleSuspendIdle } from './suspendIdle';

const databases = createTestDatabases();

async function setup() {
  let now = Date.parse('2026-12-03T12:00:00Z');
  const services = await servicesOver(databases, fakeDriver(), { clock: () => now });
  let round: () => Promise<void> = async () => undefined;
  const scheduler = {
    scheduleTask: jest.fn(async (task: { fn: () => Promise<void> }) => {
      round = task.fn;
    }),
  } as unknown as SchedulerService;
  await scheduleSuspendIdle({ ...services, scheduler, schedule: { frequency: { minutes: 1 }, timeout: { minutes: 1 } }, clock: () => now });
  let transactions = 0;

  /** A minute passes with samples every 15 s; `busy` sessions are at work in each. */
  async function minute(clusterId: string, activity: { busy?: number; transactions?: number } = {}) {
    for (let t = 15; t <= 60; t += 15) {
      transactions += activity.transactions ?? 0;
      await services.metrics.addSample(clusterId, {
        sampledAt: now + t * 1000,
        connections: activity.busy ?? 0,
        activeSessions: activity.busy ?? 0,
        transactionsTotal: transactions,
        cpuSecondsTotal: 0,
        memoryBytes: 0,
        storageBytes: 0,
      });
    }
    now += 60_000;
    await round();
    return services.store.getCluster(clusterId);
  }

  async function idleEnabled(name: string, idleMinutes: number) {
    const { cluster } = await services.clusters.create(services.credentials, {
      name,
      owner: 'team-payments',
      scaleToZero: { enabled: true, idleMinutes },
    });
    await services.finish();
    return cluster;
  }

  return { ...services, minute, idleEnabled, advance: (ms: number) => (now += ms) };
}

describe('scale to zero', () => {
  it('suspends a cluster after its idle minutes without activity, as orochi:idle, and a user’s wake undoes it', async () => {
    const { minute, idleEnabled, store, finish, clusters, credentials } = await setup();
    const cluster = await idleEnabled('sleepy-db', 3);

    // Busy for two minutes, then idle: suspended only once three idle minutes have passed.
    await minute(cluster.id, { busy: 1 });
    await minute(cluster.id, { transactions: 5 });
    expect((await minute(cluster.id))?.status).toBe('ready');
    expect((await minute(cluster.id))?.status).toBe('ready');
    const suspending = await minute(cluster.id);
    expect(suspending).toMatchObject({ status: 'suspending', hibernated: true, idleSuspended: true });
    const [operation] = await store.listClusterOperations(cluster.id, 1);
    expect(operation).toMatchObject({
      type: 'suspend',
      requestedBy: 'orochi:idle',
      parameters: { idleMinutes: 3, idleSince: '2026-12-03T12:02:00.000Z' },
      reason: 'no client activity since 2026-12-03T12:02:00.000Z (scale to zero after 3 idle minutes)',
    });
    await finish('succeeded', 'suspended');
    expect(await store.getCluster(cluster.id)).toMatchObject({ status: 'suspended' });

    const { cluster: waking } = await clusters.wake(credentials, cluster.id);
    expect(waking).toMatchObject({ status: 'waking', hibernated: false });
    expect(waking).not.toHaveProperty('idleSuspended');
  });

  it('leaves a busy cluster, one without enough samples, and one with scale to zero off alone', async () => {
    const { minute, idleEnabled, clusters, credentials, finish, advance } = await setup();
    const busy = await idleEnabled('busy-db', 1);
    for (let i = 0; i < 3; i++) expect((await minute(busy.id, { busy: 1 }))?.status).toBe('ready');

    // Samples stopped (the sampler was down): no evidence that it was idle throughout.
    const unsampled = await idleEnabled('unsampled-db', 1);
    advance(10 * 60_000);
    expect((await minute(busy.id, { busy: 1 }))?.status).toBe('ready');
    expect((await clusters.get(credentials, unsampled.id)).status).toBe('ready');

    const { cluster: off } = await clusters.create(credentials, { name: 'awake-db', owner: 'team-payments' });
    await finish();
    for (let i = 0; i < 3; i++) expect((await minute(off.id))?.status).toBe('ready');
  });

  it('hibernating a suspended cluster makes it a user’s hibernation, which no connection wakes', async () => {
    const { minute, idleEnabled, finish, clusters, credentials, store } = await setup();
    const cluster = await idleEnabled('parked-db', 1);
    await minute(cluster.id);
    expect((await minute(cluster.id))?.status).toBe('suspending');
    await finish('succeeded', 'suspended');
    await clusters.hibernate(credentials, cluster.id);
    await finish('succeeded', 'hibernated');
    expect(await store.getCluster(cluster.id)).toMatchObject({ status: 'hibernated', hibernated: true });
    expect(await store.getCluster(cluster.id)).not.toHaveProperty('idleSuspended');
    await expect(clusters.hibernate(credentials, cluster.id)).rejects.toThrow('Cluster parked-db is already hibernated');
  });
});
