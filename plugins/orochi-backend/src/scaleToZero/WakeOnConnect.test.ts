import { clusterSpecOf } from '@orochi/backstage-plugin-orochi-common';
import { WakeRefusedError } from '@orochi/backstage-plugin-orochi-node';
import { createTestDatabases } from '@orochi/test-utils';
import { fakeDriver } from '../__testUtils__/fakeDriver';
import { servicesOver } from '../__testUtils__/services';
import { WakeOnConnect } from './WakeOnConnect';

const databases = createTestDatabases();

describe('WakeOnConnect', () => {
  it('tells a client why a cluster billing suspended stays down, and starts nothing', async () => {
    const { store, operations, readyCluster, finish, logger } = await servicesOver(databases, fakeDriver());
    const cluster = await readyCluster('orders-db');
    await operations.start(
      cluster,
      { type: 'hibernate', parameters: {} },
      { ...clusterSpecOf(cluster), hibernated: true, billingSuspended: 'compute-hours' },
      { requestedBy: 'orochi:billing', reason: 'the Free compute hours are used up' },
    );
    await finish('succeeded', 'hibernated');

    const wake = new WakeOnConnect({ store, operations, logger }).wake(cluster.id, new AbortController().signal);
    await expect(wake).rejects.toThrow(WakeRefusedError);
    await expect(wake).rejects.toThrow(/orders-db is suspended: the team's Free compute hours for this month are used up/);
    expect((await store.getCluster(cluster.id))?.currentOperationId).toBeUndefined();
  });
});
