import { clusterSpecOf } from '@orochi/backstage-plugin-orochi-common';
import { createTestDatabases } from '@orochi/test-utils';
import { fakeDriver } from '../__testUtils__/fakeDriver';
import { servicesOver } from '../__testUtils__/services';
import { DatabaseUsageStore } from '../database/UsageStore';
import { UsageMeter } from './UsageMeter';

const databases = createTestDatabases();
const T0 = Date.UTC(2026, 11, 4, 10, 0, 0);

describe('UsageMeter', () => {
  it('accrues exactly the compute-unit seconds a cluster ran, and none while it is hibernated', async () => {
    let now = T0;
    const driver = fakeDriver({ measureStorage: jest.fn(async () => ({ data: 3e9, backups: 1e9 })) });
    const { store, operations, finish, clusters, credentials, database } = await servicesOver(databases, driver, { clock: () => now });
    const usage = await DatabaseUsageStore.create({ database });
    const meter = new UsageMeter({ store, usage, driver, logger: { warn: jest.fn() } as any, clock: () => now });

    const { cluster } = await clusters.create(credentials, { name: 'orders-db', owner: 'team-payments', size: 'medium' });
    await finish(); // ready at T0, 2 CU
    await meter.meterAll();
    now = T0 + 90_000;
    await meter.meterAll();

    // Hibernated at 150 s (the operation finishes then), seen by the round at 200 s.
    const ready = (await store.getCluster(cluster.id))!;
    now = T0 + 120_000;
    await operations.start(ready, { type: 'hibernate', parameters: {} }, { ...clusterSpecOf(ready), hibernated: true }, { requestedBy: 'user:default/pat' });
    now = T0 + 150_000;
    await finish('succeeded', 'hibernated');
    now = T0 + 200_000;
    await meter.meterAll();
    now = T0 + 3_600_000 + 200_000;
    await meter.meterAll();

    const totals = new Map<string, number>();
    for (const row of await usage.hourly({ clusterId: cluster.id }, T0, now + 1)) totals.set(row.meter, (totals.get(row.meter) ?? 0) + row.value);
    expect(totals.get('compute_unit_seconds')).toBe(2 * 150);
    // Storage and backups accrue over the whole time, hibernated or not.
    expect(totals.get('storage_bytes_hour')).toBeCloseTo(3e9 * (now - T0) / 3_600_000, 0);
    expect(totals.get('backup_bytes_hour')).toBeCloseTo(1e9 * (now - T0) / 3_600_000, 0);
  });

  it('meters what a driver cannot measure at the size it requested, and forgets deleted clusters', async () => {
    let now = T0;
    const driver = fakeDriver();
    const { store, finish, clusters, credentials, database } = await servicesOver(databases, driver, { clock: () => now });
    const usage = await DatabaseUsageStore.create({ database });
    const meter = new UsageMeter({ store, usage, driver, logger: { warn: jest.fn() } as any, clock: () => now });
    const { cluster } = await clusters.create(credentials, { name: 'orders-db', owner: 'team-payments', storageGb: 2, instances: 2 });
    await finish();
    await meter.meterAll();
    now = T0 + 3_600_000;
    await meter.meterAll();
    const [storage] = (await usage.hourly({ clusterId: cluster.id }, T0, now)).filter(r => r.meter === 'storage_bytes_hour');
    expect(storage.value).toBe(2 * 2 * 2 ** 30);

    await clusters.delete(credentials, cluster.id);
    await finish();
    await meter.meterAll();
    expect((await usage.watermarks()).has(cluster.id)).toBe(false);
  });
});
