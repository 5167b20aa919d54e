import { ConflictError, InputError } from '@backstage/errors';
import { RecoveryWindow } from '@orochi/backstage-plugin-orochi-common';
import { createTestDatabases } from '@orochi/test-utils';
import { fakeDriver } from '../__testUtils__/fakeDriver';
import { servicesOver } from '../__testUtils__/services';

const databases = createTestDatabases();
const HOUR = 3_600_000;

const window = { earliest: '2026-12-01T00:00:00.000Z', latest: '2026-12-03T12:00:00.000Z' };
const completed = {
  id: 'b-1',
  kind: 'manual' as const,
  state: 'completed' as const,
  startedAt: '2026-12-01T00:00:00.000Z',
  recoverableFrom: window.earliest,
};

async function setup() {
  const driver = fakeDriver({
    recoveryWindow: jest.fn(async (): Promise<RecoveryWindow> => window),
    listBackups: jest.fn(async () => [completed]),
  });
  return { ...(await servicesOver(databases, driver)), driver };
}

describe('restores and branches', () => {
  it('restores into a new cluster at a time inside the window, with a restore operation naming the target', async () => {
    const { restores, readyCluster, credentials } = await setup();
    const source = await readyCluster('orders-db');
    const { cluster, operation } = await restores.restore(credentials, source.id, {
      name: 'orders-db-restored',
      targetTime: '2026-12-02T10:00:00+01:00',
    });
    expect(cluster).toMatchObject({
      name: 'orders-db-restored',
      owner: source.owner,
      size: source.size,
      status: 'restoring',
      parent: { kind: 'restore', clusterId: source.id, clusterName: 'orders-db', targetTime: '2026-12-02T09:00:00.000Z' },
    });
    expect(cluster.expiresAt).toBeUndefined();
    expect(operation).toMatchObject({
      type: 'restore',
      parameters: { sourceClusterId: source.id, target: { type: 'time', time: '2026-12-02T09:00:00.000Z' } },
      requestedBy: 'user:default/pat',
    });
  });

  it('answers 400 stating the window for a time outside it, and writes nothing', async () => {
    const { restores, readyCluster, credentials, store } = await setup();
    const source = await readyCluster('orders-db');
    const restore = restores.restore(credentials, source.id, { name: 'too-late', targetTime: '2026-12-04T00:00:00Z' });
    await expect(restore).rejects.toThrow(InputError);
    await expect(restore).rejects.toThrow(
      'targetTime: must be inside the recovery window, from 2026-12-01T00:00:00.000Z to 2026-12-03T12:00:00.000Z',
    );
    expect((await store.listAllClusters()).map((c: { name: string }) => c.name)).toEqual(['orders-db']);
  });

  it('restores a named backup only if it completed, and refuses a time and a backup together', async () => {
    const { restores, readyCluster, credentials } = await setup();
    const source = await readyCluster('orders-db');
    await expect(restores.restore(credentials, source.id, { name: 'from-b2', backupId: 'b-2' })).rejects.toThrow(
      'backupId: orders-db has no completed backup b-2',
    );
    await expect(
      restores.restore(credentials, source.id, { name: 'both', backupId: 'b-1', targetTime: window.latest }),
    ).rejects.toThrow('backupId: give targetTime or backupId, not both');
    const { operation } = await restores.restore(credentials, source.id, { name: 'from-b1', backupId: 'b-1' });
    expect(operation).toMatchObject({ parameters: { target: { type: 'backup', backupId: 'b-1' } } });
  });

  it('refuses a restore of a cluster without backups, saying so', async () => {
    const { restores, readyCluster, credentials, driver } = await setup();
    driver.recoveryWindow.mockResolvedValue({});
    const source = await readyCluster('orders-db');
    await expect(restores.restore(credentials, source.id, { name: 'nothing-yet' })).rejects.toThrow(
      'source: the cluster has no completed backup yet, so it has no recovery window',
    );
  });

  it('branches now with the default time to live, and within the maximum only', async () => {
    const { restores, readyCluster, credentials, offering } = await setup();
    const parent = await readyCluster('orders-db');
    const before = Date.now();
    const { cluster, operation } = await restores.branch(credentials, parent.id, { name: 'orders-db-pr-1' });
    expect(cluster.parent).toEqual({ kind: 'branch', clusterId: parent.id, clusterName: 'orders-db' });
    expect(Date.parse(cluster.expiresAt!)).toBeGreaterThanOrEqual(before + offering.branches.defaultTtlHours * HOUR);
    expect(operation).toMatchObject({ type: 'restore', parameters: { target: { type: 'now' } } });

    await expect(
      restores.branch(credentials, parent.id, { name: 'too-long', ttlHours: offering.branches.maxTtlHours + 1 }),
    ).rejects.toThrow(`ttlHours: must be at most ${offering.branches.maxTtlHours} hours`);
    expect((await restores.listBranches(credentials, parent.id)).map(b => b.name)).toEqual(['orders-db-pr-1']);
  });

  it('branches a hibernated cluster only from its recovery window', async () => {
    const { restores, clusters, readyCluster, credentials, finish } = await setup();
    const parent = await readyCluster('orders-db');
    await clusters.hibernate(credentials, parent.id);
    await finish('succeeded', 'hibernated');
    await expect(restores.branch(credentials, parent.id, { name: 'needs-running' })).rejects.toThrow(ConflictError);
    const { cluster } = await restores.branch(credentials, parent.id, { name: 'from-window', targetTime: window.latest });
    expect(cluster.parent).toMatchObject({ targetTime: window.latest });
  });
});

describe('deleting and changing branches', () => {
  it('refuses to delete a cluster with branches until they are detached, naming them', async () => {
    const { restores, clusters, readyCluster, credentials, finish } = await setup();
    const parent = await readyCluster('orders-db');
    const { cluster: branch } = await restores.branch(credentials, parent.id, { name: 'orders-db-pr-1' });
    await finish();
    await expect(clusters.delete(credentials, parent.id)).rejects.toThrow(
      'Cluster orders-db has branches (orders-db-pr-1); delete or detach them first',
    );

    const { cluster: detached, operation } = await clusters.update(credentials, branch.id, { detach: true });
    expect(detached.parent).toMatchObject({ kind: 'restore', clusterId: parent.id });
    expect(detached.expiresAt).toBeUndefined();
    expect(operation.parameters).toMatchObject({ from: { expiresAt: branch.expiresAt }, to: {} });
    await finish();
    await expect(clusters.delete(credentials, parent.id)).resolves.toMatchObject({ operation: { type: 'delete' } });
  });

  it('extends or shortens a branch within the maximum, and only a branch', async () => {
    const { restores, clusters, readyCluster, credentials, finish, offering } = await setup();
    const parent = await readyCluster('orders-db');
    const { cluster: branch } = await restores.branch(credentials, parent.id, { name: 'orders-db-pr-1' });
    await finish();
    const later = new Date(Date.now() + 48 * HOUR).toISOString();
    const { cluster } = await clusters.update(credentials, branch.id, { expiresAt: later });
    expect(cluster.expiresAt).toBe(later);
    await finish();

    const tooLate = new Date(Date.now() + (offering.branches.maxTtlHours + 1) * HOUR).toISOString();
    await expect(clusters.update(credentials, branch.id, { expiresAt: tooLate })).rejects.toThrow(
      `expiresAt: must be at most ${offering.branches.maxTtlHours} hours from now`,
    );
    await expect(clusters.update(credentials, branch.id, { expiresAt: '2020-01-01T00:00:00Z' })).rejects.toThrow(
      'expiresAt: must be in the future',
    );
    await expect(clusters.update(credentials, parent.id, { expiresAt: later })).rejects.toThrow(
      'expiresAt: orders-db is not a branch',
    );
  });
});

describe('backups through the API', () => {
  it('backs up a ready cluster with a manual backup operation, and refuses one that is not ready', async () => {
    const { backups, clusters, readyCluster, credentials, finish } = await setup();
    const cluster = await readyCluster('orders-db');
    const { operation, cluster: during } = await backups.backupNow(credentials, cluster.id);
    expect(operation).toMatchObject({ type: 'backup', parameters: { kind: 'manual' } });
    expect(during.status).toBe('ready');
    await expect(backups.backupNow(credentials, cluster.id)).rejects.toThrow(ConflictError);
    await finish();
    await clusters.hibernate(credentials, cluster.id);
    await finish('succeeded', 'hibernated');
    await expect(backups.backupNow(credentials, cluster.id)).rejects.toThrow(
      'Cluster orders-db is hibernated; only a ready cluster can be backed up',
    );
    expect(await backups.list(credentials, cluster.id)).toEqual([{ ...completed, clusterId: cluster.id }]);
  });
});
