import { mockServices } from '@backstage/backend-test-utils';
import { createTestDatabases } from '@orochi/test-utils';
import { fakeDriver } from '../__testUtils__/fakeDriver';
import { servicesOver } from '../__testUtils__/services';
import { nextBackupDue, scheduleBackups, SCHEDULED_BACKUPS_TASK_ID } from './scheduledBackups';

const databases = createTestDatabases();

describe('nextBackupDue', () => {
  it('is the first time the six-field cron fires after the last backup, in UTC', () => {
    expect(new Date(nextBackupDue('0 0 3 * * *', '2026-12-03T02:59:00Z')).toISOString()).toBe('2026-12-03T03:00:00.000Z');
    expect(new Date(nextBackupDue('0 0 3 * * *', '2026-12-03T03:00:00Z')).toISOString()).toBe('2026-12-04T03:00:00.000Z');
    expect(new Date(nextBackupDue('0 30 * * * *', '2026-12-03T10:45:00Z')).toISOString()).toBe('2026-12-03T11:30:00.000Z');
  });
});

describe('scheduled backups', () => {
  it('starts a scheduled backup as orochi:backup-scheduler when the schedule fired since the last one', async () => {
    const driver = fakeDriver();
    let now = Date.now();
    const services = await servicesOver(databases, driver, { clock: () => now });
    const { store, clusters, credentials, finish } = services;
    const scheduler = mockServices.scheduler.mock();
    await scheduleBackups({
      scheduler,
      store,
      driver,
      operations: services.operations,
      logger: services.logger,
      schedule: { frequency: { minutes: 1 }, timeout: { minutes: 5 } },
      clock: () => now,
    });
    const [task] = scheduler.scheduleTask.mock.calls[0];
    expect(task).toMatchObject({ id: SCHEDULED_BACKUPS_TASK_ID, scope: 'global' });

    const { cluster } = await clusters.create(credentials, {
      name: 'orders-db',
      owner: 'team-payments',
      backups: { enabled: true, schedule: '0 0 * * * *' },
    });
    await finish();
    const { cluster: without } = await clusters.create(credentials, { name: 'no-backups', owner: 'team-payments' });
    await finish();

    await task.fn(new AbortController().signal);
    expect(await store.listClusterOperations(cluster.id, 1)).toMatchObject([{ type: 'create' }]);

    now += 3_600_000;
    await task.fn(new AbortController().signal);
    const [backup] = await store.listClusterOperations(cluster.id, 1);
    expect(backup).toMatchObject({
      type: 'backup',
      parameters: { kind: 'scheduled' },
      requestedBy: 'orochi:backup-scheduler',
      reason: expect.stringMatching(/^scheduled backup \(0 0 \* \* \* \*, UTC\) due at /),
    });
    expect(await store.listClusterOperations(without.id, 1)).toMatchObject([{ type: 'create' }]);

    // The backup that was started counts, even before the driver lists it.
    await finish();
    await task.fn(new AbortController().signal);
    expect(await store.listClusterOperations(cluster.id, 5)).toHaveLength(2);
  });
});
