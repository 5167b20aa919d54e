import { JsonValue } from '@backstage/types';
import { clusterRecord } from '@orochi/test-utils';
import { createOrochiBranchDeleteAction } from './deleteBranch';
import { fakeOrochiApi } from './__testUtils__/fakeOrochiApi';
import { contextWithCheckpoints } from './__testUtils__/orochiBackend';

const parent = clusterRecord('orders-db');
const branch = clusterRecord('orders-db-pr-42', {
  parent: { kind: 'branch', clusterId: 'id-orders-db', clusterName: 'orders-db' },
  expiresAt: '2026-11-24T00:00:00.000Z',
});
const restored = clusterRecord('orders-db-restored', {
  parent: { kind: 'restore', clusterId: 'id-orders-db', clusterName: 'orders-db' },
});

function setup() {
  const orochi = fakeOrochiApi([parent, branch, restored]);
  return { ...orochi, action: createOrochiBranchDeleteAction(orochi.deps) };
}

const run = (action: ReturnType<typeof setup>['action'], input: Record<string, unknown>, store = new Map<string, JsonValue>(), extra: object = {}) =>
  action.handler({ ...contextWithCheckpoints(input, store), ...extra } as any);

describe('orochi:branch:delete', () => {
  it.each([{ clusterId: 'id-orders-db-pr-42' }, { name: 'orders-db-pr-42' }, { name: 'resource:default/orders-db-pr-42' }])(
    'deletes a branch given %o and waits until it is gone',
    async input => {
      const { action, api, clusters } = setup();
      await run(action, input);
      expect(api.deleteCluster).toHaveBeenCalledTimes(1);
      expect(api.deleteCluster).toHaveBeenCalledWith('id-orders-db-pr-42', expect.anything());
      expect(api.getOperation).toHaveBeenCalledWith('op-delete-id-orders-db-pr-42', expect.anything());
      expect(clusters.map(c => c.name)).toEqual(['orders-db', 'orders-db-restored']);
    },
  );

  it.each([
    [{ name: 'orders-db' }, 'orders-db is not a branch (it is a cluster of its own)'],
    [{ clusterId: 'id-orders-db' }, 'orders-db is not a branch (it is a cluster of its own)'],
    [{ name: 'orders-db-restored' }, 'orders-db-restored is not a branch (it is a cluster restored from orders-db)'],
  ])('refuses %o, which is not a branch, and deletes nothing', async (input, message) => {
    const { action, api, clusters } = setup();
    await expect(run(action, input)).rejects.toThrow(`${message}; orochi:branch:delete deletes branches only, and left it alone`);
    await expect(run(action, input, new Map(), { isDryRun: true })).rejects.toThrow(message);
    expect(api.deleteCluster).not.toHaveBeenCalled();
    expect(clusters).toHaveLength(3);
  });

  it('deletes once when the task is retried after its checkpoint was saved', async () => {
    const { action, api } = setup();
    const store = new Map<string, JsonValue>();
    await run(action, { name: 'orders-db-pr-42' }, store);
    // The branch is gone by now: the retry only waits for the same operation.
    await run(action, { name: 'orders-db-pr-42' }, store);
    expect(api.deleteCluster).toHaveBeenCalledTimes(1);
    expect(api.getOperation).toHaveBeenCalledTimes(2);
  });

  it('needs exactly one of clusterId and name', async () => {
    const { action, api } = setup();
    await expect(run(action, {})).rejects.toThrow('give the branch’s clusterId or its name, one of them');
    await expect(run(action, { clusterId: 'id-orders-db-pr-42', name: 'orders-db-pr-42' })).rejects.toThrow(/one of them/);
    expect(api.deleteCluster).not.toHaveBeenCalled();
  });

  it('passes a dry run for a branch, or one an earlier step would create, and deletes nothing', async () => {
    const { action, api, clusters } = setup();
    await run(action, { clusterId: 'id-orders-db-pr-42' }, new Map(), { isDryRun: true });
    await run(action, { clusterId: 'dry-run' }, new Map(), { isDryRun: true });
    await run(action, { name: 'orders-db-pr-43' }, new Map(), { isDryRun: true });
    expect(api.deleteCluster).not.toHaveBeenCalled();
    expect(clusters).toHaveLength(3);
  });
});
