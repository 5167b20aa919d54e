import { JsonValue } from '@backstage/types';
import { clusterRecord } from '@orochi/test-utils';
import { createOrochiBranchCreateAction } from './createBranch';
import { fakeOrochiApi } from './__testUtils__/fakeOrochiApi';
import { contextWithCheckpoints } from './__testUtils__/orochiBackend';

const parent = clusterRecord('orders-db');
/** Clusters whose names contain the parent's: the API's search finds them too. */
const lookalikes = [clusterRecord('orders-db-archive'), clusterRecord('old-orders-db')];

function setup(clusters = [parent, ...lookalikes]) {
  const orochi = fakeOrochiApi(clusters);
  return { ...orochi, action: createOrochiBranchCreateAction(orochi.deps) };
}

const outputsOf = (ctx: { output: unknown }) => Object.fromEntries((ctx.output as jest.Mock).mock.calls);

const run = (action: ReturnType<typeof setup>['action'], input: Record<string, unknown>, store = new Map<string, JsonValue>(), extra: object = {}) => {
  const ctx = { ...contextWithCheckpoints(input, store), ...extra };
  return { ctx, done: action.handler(ctx as any) };
};

describe('orochi:branch:create', () => {
  it('branches the parent named by its name, waits until the branch is ready, and outputs it without a password', async () => {
    const { action, api } = setup();
    const before = Date.now();
    const { ctx, done } = run(action, { parent: 'orders-db', name: 'orders-db-pr-42' });
    await done;
    expect(api.createBranch).toHaveBeenCalledTimes(1);
    expect(api.createBranch).toHaveBeenCalledWith('id-orders-db', { name: 'orders-db-pr-42' }, expect.anything());
    expect(api.getOperation).toHaveBeenCalledWith('op-restore-id-orders-db-pr-42', expect.anything());
    const outputs = outputsOf(ctx);
    expect(outputs).toEqual({
      clusterId: 'id-orders-db-pr-42',
      entityRef: 'resource:default/orders-db-pr-42',
      parentEntityRef: 'resource:default/orders-db',
      expiresAt: expect.any(String),
      host: 'localhost',
      port: 54399,
      database: 'app',
      user: 'app',
      credentialsUrl: 'http://portal.example.com/orochi/clusters/id-orders-db-pr-42',
    });
    // The offering's default time to live, a day.
    expect(Date.parse(outputs.expiresAt) - before).toBeGreaterThanOrEqual(24 * 3_600_000 - 1000);
    expect(Date.parse(outputs.expiresAt) - Date.now()).toBeLessThanOrEqual(24 * 3_600_000);
    expect(JSON.stringify(outputs)).not.toMatch(/password/i);
  });

  it.each(['resource:default/orders-db', 'Resource:default/orders-db', 'default/orders-db'])(
    'resolves the parent from its entity ref %s, passing the time to live, point in time and owner',
    async reference => {
      const { action, api } = setup();
      const { ctx, done } = run(action, {
        parent: reference,
        name: 'orders-db-pitr',
        targetTime: '2026-11-22T10:00:00Z',
        ttlHours: 168,
        owner: 'group:default/team-search',
      });
      await done;
      expect(api.createBranch).toHaveBeenCalledWith(
        'id-orders-db',
        { name: 'orders-db-pitr', targetTime: '2026-11-22T10:00:00Z', ttlHours: 168, owner: 'group:default/team-search' },
        expect.anything(),
      );
      expect(outputsOf(ctx)).toMatchObject({ parentEntityRef: 'resource:default/orders-db', entityRef: 'resource:default/orders-db-pitr' });
    },
  );

  it('treats fields a template left empty as their defaults', async () => {
    const { action, api } = setup();
    await run(action, { parent: 'orders-db', name: 'orders-db-pr-43', targetTime: '', owner: '' }).done;
    expect(api.createBranch).toHaveBeenCalledWith('id-orders-db', { name: 'orders-db-pr-43' }, expect.anything());
  });

  it('fails clearly, creating nothing, when no cluster has the parent’s exact name', async () => {
    const { action, api } = setup();
    await expect(run(action, { parent: 'orders', name: 'orders-pr-1' }).done).rejects.toThrow(
      'parent: there is no cluster named orders that you may read; similar: orders-db, orders-db-archive, old-orders-db',
    );
    await expect(run(action, { parent: 'resource:default/payments-db', name: 'payments-pr-1' }).done).rejects.toThrow(
      'parent: there is no cluster named payments-db that you may read',
    );
    expect(api.createBranch).not.toHaveBeenCalled();
  });

  it('fails clearly, creating nothing, when the parent is ambiguous or not a cluster’s entity', async () => {
    const { action, api } = setup([parent, { ...parent, id: 'id-orders-db-2' }]);
    await expect(run(action, { parent: 'orders-db', name: 'orders-db-pr-1' }).done).rejects.toThrow(
      'parent: orders-db is ambiguous: 2 clusters are named orders-db (ids id-orders-db, id-orders-db-2)',
    );
    await expect(run(action, { parent: 'component:default/orders-db', name: 'orders-db-pr-1' }).done).rejects.toThrow(
      "parent: component:default/orders-db is a component entity; an Orochi cluster's entity is a Resource",
    );
    await expect(run(action, { parent: 'resource:payments/orders-db', name: 'orders-db-pr-1' }).done).rejects.toThrow(
      /Orochi clusters' entities are in the default namespace/,
    );
    expect(api.createBranch).not.toHaveBeenCalled();
  });

  it('creates the branch once when the task is retried after its checkpoint was saved', async () => {
    const { action, api, clusters } = setup();
    const store = new Map<string, JsonValue>();
    const first = run(action, { parent: 'orders-db', name: 'orders-db-pr-42' }, store);
    await first.done;
    const retried = run(action, { parent: 'orders-db', name: 'orders-db-pr-42' }, store);
    await retried.done;
    expect(api.createBranch).toHaveBeenCalledTimes(1);
    expect(clusters.filter(c => c.name === 'orders-db-pr-42')).toHaveLength(1);
    expect(outputsOf(retried.ctx)).toEqual(outputsOf(first.ctx));
  });

  it('creates the branch once when the task crashed after Orochi answered but before the checkpoint was saved', async () => {
    const { action, api, clusters } = setup();
    const store = new Map<string, JsonValue>();
    const crashing = contextWithCheckpoints({ parent: 'orders-db', name: 'orders-db-pr-42' }, store);
    const save = crashing.checkpoint;
    crashing.checkpoint = async (options: { key: string; fn: () => Promise<any> }) => {
      if (!options.key.endsWith('.requestedAt')) {
        await options.fn();
        throw new Error('the scaffolder died here');
      }
      return save(options);
    };
    await expect(action.handler(crashing as any)).rejects.toThrow('the scaffolder died here');

    const retried = { ...contextWithCheckpoints({ parent: 'orders-db', name: 'orders-db-pr-42' }, store), user: { ref: 'user:default/mock' } };
    await action.handler(retried as any);
    expect(api.createBranch).toHaveBeenCalledTimes(2);
    expect(clusters.filter(c => c.name === 'orders-db-pr-42')).toHaveLength(1);
    expect(outputsOf(retried)).toMatchObject({ clusterId: 'id-orders-db-pr-42', host: 'localhost' });
  });

  it('does not take over a branch of the same name that another task or user made', async () => {
    const old = clusterRecord('orders-db-pr-42', {
      parent: { kind: 'branch', clusterId: 'id-orders-db', clusterName: 'orders-db' },
      createdAt: new Date(Date.now() - 3_600_000).toISOString(),
    });
    const { action } = setup([parent, old]);
    await expect(run(action, { parent: 'orders-db', name: 'orders-db-pr-42' }).done).rejects.toThrow(
      /Creating branch orders-db-pr-42 of orders-db was refused by Orochi \(409 ConflictError\): .*exists/,
    );

    const recent = { ...old, createdAt: new Date().toISOString(), createdBy: 'user:default/sam' };
    const other = setup([parent, recent]);
    const asPat = run(other.action, { parent: 'orders-db', name: 'orders-db-pr-42' }, new Map(), { user: { ref: 'user:default/pat' } });
    await expect(asPat.done).rejects.toThrow(/409 ConflictError/);
  });

  it('goes on without waiting when told to', async () => {
    const { action, api } = setup();
    const { ctx, done } = run(action, { parent: 'orders-db', name: 'orders-db-pr-42', waitForReady: false });
    await done;
    expect(api.getOperation).not.toHaveBeenCalled();
    const outputs = outputsOf(ctx);
    expect(outputs).toMatchObject({ clusterId: 'id-orders-db-pr-42', expiresAt: expect.any(String), parentEntityRef: 'resource:default/orders-db' });
    expect(outputs.host).toBeUndefined();
  });

  describe('dry run', () => {
    const dryRun = (action: ReturnType<typeof setup>['action'], input: Record<string, unknown>) => run(action, input, new Map(), { isDryRun: true });

    it('checks the parent exists and outputs what it would create, creating nothing', async () => {
      const { action, api } = setup();
      const before = Date.now();
      const { ctx, done } = dryRun(action, { parent: 'resource:default/orders-db', name: 'orders-db-pr-42', ttlHours: 1 });
      await done;
      const outputs = outputsOf(ctx);
      expect(outputs).toEqual({
        clusterId: 'dry-run',
        entityRef: 'resource:default/orders-db-pr-42',
        parentEntityRef: 'resource:default/orders-db',
        expiresAt: expect.any(String),
        database: 'app',
        user: 'app',
        credentialsUrl: 'http://portal.example.com/orochi/clusters/dry-run',
      });
      expect(Date.parse(outputs.expiresAt) - before).toBeGreaterThanOrEqual(3_600_000 - 1000);
      expect(Date.parse(outputs.expiresAt) - Date.now()).toBeLessThanOrEqual(3_600_000);
      expect(api.createBranch).not.toHaveBeenCalled();
    });

    it('validates the request as Orochi does, against the offering’s maximum time to live', async () => {
      const { action, api } = setup();
      await expect(dryRun(action, { parent: 'orders-db', name: 'orders-db-pr-42', ttlHours: 721 }).done).rejects.toThrow(
        'ttlHours: must be at most 720 hours',
      );
      await expect(dryRun(action, { parent: 'orders-db', name: 'Orders PR' }).done).rejects.toThrow(/^name: /);
      await expect(dryRun(action, { parent: 'orders-db', name: 'orders-db-pr-42', targetTime: 'yesterday' }).done).rejects.toThrow(
        /^targetTime: /,
      );
      await expect(dryRun(action, { parent: 'orders-db', name: 'orders-db-pr-42', targetTime: '2026-11-25T00:00:00Z' }).done).rejects.toThrow(
        'targetTime: must be inside the recovery window, from 2026-11-20T00:00:00.000Z to 2026-11-23T00:00:00.000Z',
      );
      await expect(dryRun(action, { parent: 'payments-db', name: 'payments-db-pr-1' }).done).rejects.toThrow(
        'parent: there is no cluster named payments-db that you may read',
      );
      await dryRun(action, { parent: 'orders-db', name: 'orders-db-pr-42', targetTime: '2026-11-22T00:00:00Z' }).done;
      expect(api.createBranch).not.toHaveBeenCalled();
    });
  });
});
