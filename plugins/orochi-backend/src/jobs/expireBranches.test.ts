import { mockServices } from '@backstage/backend-test-utils';
import { createTestDatabases } from '@orochi/test-utils';
import { fakeDriver } from '../__testUtils__/fakeDriver';
import { servicesOver } from '../__testUtils__/services';
import { BranchNotifier } from '../backups/BranchNotifier';
import { DatabaseBranchWarningStore } from '../database/BranchWarningStore';
import { BRANCH_EXPIRY_TASK_ID, scheduleBranchExpiry } from './expireBranches';

const databases = createTestDatabases();
const HOUR = 3_600_000;

async function setup() {
  const services = await servicesOver(databases, fakeDriver());
  const scheduler = mockServices.scheduler.mock();
  const notifications = { send: jest.fn(async () => undefined) };
  let now = Date.now();
  const database = mockServices.database({ knex: await databases.init('SQLITE_3') });
  await scheduleBranchExpiry({
    scheduler,
    store: services.store,
    operations: services.operations,
    warnings: await DatabaseBranchWarningStore.create({ database }),
    notifier: new BranchNotifier({ notifications, logger: services.logger }),
    logger: services.logger,
    schedule: { frequency: { minutes: 1 }, timeout: { minutes: 5 } },
    warnBeforeMs: HOUR,
    clock: () => now,
  });
  const [task] = scheduler.scheduleTask.mock.calls[0];
  const pass = () => task.fn(new AbortController().signal);
  const advance = (ms: number) => (now += ms);
  return { ...services, task, pass, advance, notifications };
}

describe('branch expiry', () => {
  it('warns the owners once an hour before, then deletes the branch as orochi:branch-expiry', async () => {
    const { task, pass, advance, notifications, restores, readyCluster, credentials, finish, store } = await setup();
    expect(task).toMatchObject({ id: BRANCH_EXPIRY_TASK_ID, scope: 'global' });
    const parent = await readyCluster('orders-db');
    const { cluster: branch } = await restores.branch(credentials, parent.id, { name: 'orders-db-pr-1', ttlHours: 2 });
    await finish();

    await pass();
    expect(notifications.send).not.toHaveBeenCalled();

    advance(HOUR + 60_000);
    await pass();
    await pass();
    expect(notifications.send).toHaveBeenCalledTimes(1);
    expect(notifications.send).toHaveBeenCalledWith({
      recipients: { type: 'entity', entityRef: 'group:default/team-payments' },
      payload: expect.objectContaining({
        title: `Branch orders-db-pr-1 expires at ${branch.expiresAt}`,
        topic: 'orochi-branch-expiry',
        link: `/orochi/clusters/${branch.id}`,
      }),
    });
    expect((await store.getCluster(branch.id))?.status).toBe('ready');

    advance(HOUR);
    await pass();
    const [deletion] = await store.listClusterOperations(branch.id, 1);
    expect(deletion).toMatchObject({
      type: 'delete',
      requestedBy: 'orochi:branch-expiry',
      reason: `the branch expired at ${branch.expiresAt}`,
    });
    expect((await store.getCluster(branch.id))?.status).toBe('deleting');
    // The parent is no branch and never expires.
    expect((await store.getCluster(parent.id))?.status).toBe('ready');
  });

  it('warns again for a new expiry after an extension, and leaves a branch with branches of its own', async () => {
    const { pass, advance, notifications, restores, clusters, readyCluster, credentials, finish, store } = await setup();
    const parent = await readyCluster('orders-db');
    const { cluster: branch } = await restores.branch(credentials, parent.id, { name: 'orders-db-pr-1', ttlHours: 1 });
    await finish();
    advance(60_000);
    await pass();
    expect(notifications.send).toHaveBeenCalledTimes(1);

    await clusters.update(credentials, branch.id, { expiresAt: new Date(Date.now() + 30 * 60_000).toISOString() });
    await finish();
    await pass();
    expect(notifications.send).toHaveBeenCalledTimes(2);

    await restores.branch(credentials, branch.id, { name: 'orders-db-pr-1-a', ttlHours: 24 });
    await finish();
    advance(2 * HOUR);
    await pass();
    expect((await store.getCluster(branch.id))?.status).toBe('ready');
  });
});
