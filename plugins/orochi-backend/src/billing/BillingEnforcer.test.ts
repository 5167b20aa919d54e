import { mockServices } from '@backstage/backend-test-utils';
import { createTestDatabases } from '@orochi/test-utils';
import { fakeDriver } from '../__testUtils__/fakeDriver';
import { servicesOver } from '../__testUtils__/services';
import { DatabaseBillingAccountStore } from '../database/BillingAccountStore';
import { DatabaseUsageStore } from '../database/UsageStore';
import { BillingEnforcer } from './BillingEnforcer';

const databases = createTestDatabases();
const TEAM = 'group:default/team-payments';

async function setup() {
  let now = Date.UTC(2026, 11, 10, 12, 0, 0);
  const services = await servicesOver(databases, fakeDriver(), { clock: () => now });
  const accounts = await DatabaseBillingAccountStore.create({ database: services.database });
  const usage = await DatabaseUsageStore.create({ database: services.database });
  const notify = jest.fn(async (_group: string, _notice: { title: string }) => undefined);
  const enforcer = new BillingEnforcer({
    accounts,
    usage,
    store: services.store,
    operations: services.operations,
    offering: services.offering,
    notify,
    logger: mockServices.logger.mock(),
    clock: () => now,
  });
  const enforce = async () => enforcer.enforce((await accounts.get(TEAM))!);
  /** Compute the team used this month, as the usage job records it. */
  let rounds = 0;
  const used = (cuSeconds: number) =>
    usage.recordRound({
      samples: [{ clusterId: `earlier-${++rounds}`, owner: TEAM, meter: 'compute_unit_seconds', startMs: now - 60_000, endMs: now, value: cuSeconds }],
      watermarks: [],
      gone: [],
    });
  return { ...services, accounts, enforce, notify, used, advance: (ms: number) => (now += ms) };
}

describe('BillingEnforcer', () => {
  it('suspends a Free team’s clusters once its compute hours are used, and wakes them after an upgrade', async () => {
    const { accounts, readyCluster, enforce, notify, used, store, finish, advance } = await setup();
    const cluster = await readyCluster('orders-db');
    await accounts.update(TEAM, { plan: 'free' });
    await used(9 * 3600);
    await enforce();
    expect((await store.getCluster(cluster.id))?.currentOperationId).toBeUndefined();

    await used(3600); // the tenth hour
    advance(1000); // operations are listed by when they started
    await enforce();
    const suspending = (await store.listClusterOperations(cluster.id, 1))[0];
    expect(suspending).toMatchObject({ type: 'hibernate', requestedBy: 'orochi:billing', reason: expect.stringMatching(/Free compute hours/) });
    expect((await store.getCluster(cluster.id))).toMatchObject({ hibernated: true, billingSuspended: 'compute-hours' });
    expect(notify).toHaveBeenCalledWith(TEAM, expect.objectContaining({ title: `${TEAM}'s clusters are suspended`, severity: 'critical' }));
    await finish('succeeded', 'hibernated');
    // A second round changes nothing and says nothing again.
    await enforce();
    expect(notify).toHaveBeenCalledTimes(1);
    expect((await store.listClusterOperations(cluster.id, 5)).filter(o => o.requestedBy === 'orochi:billing')).toHaveLength(1);

    advance(60_000);
    await accounts.update(TEAM, { plan: 'pro' });
    await enforce();
    expect((await store.listClusterOperations(cluster.id, 1))[0]).toMatchObject({ type: 'wake', requestedBy: 'orochi:billing' });
    expect(await store.getCluster(cluster.id)).not.toHaveProperty('billingSuspended');
    expect((await accounts.get(TEAM))?.suspension).toBeUndefined();
  });

  it('alerts at each budget threshold once a month', async () => {
    const { accounts, readyCluster, enforce, notify } = await setup();
    await readyCluster('orders-db');
    // Pro's base price, $29, is 58 % of $50.
    await accounts.update(TEAM, { budget: { monthlyUsd: 50, alertThresholds: [0.5, 0.8, 1], hardStop: false } });
    await enforce();
    await enforce();
    expect(notify.mock.calls.map(([, notice]) => notice.title)).toEqual([`${TEAM} has used 50 % of its budget`]);

    await accounts.update(TEAM, { budget: { monthlyUsd: 30, alertThresholds: [0.5, 0.8, 1], hardStop: false } });
    await enforce();
    expect(notify).toHaveBeenLastCalledWith(TEAM, expect.objectContaining({ title: `${TEAM} has used 80 % of its budget`, severity: 'high' }));
    expect(notify).toHaveBeenCalledTimes(2);
  });
});
