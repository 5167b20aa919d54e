import { JsonValue } from '@backstage/types';
import { createOrochiClusterCreateAction } from './createCluster';
import { createOrochiClusterDeleteAction } from './deleteCluster';
import { contextWithCheckpoints, startOrochiBackend } from './__testUtils__/orochiBackend';

jest.setTimeout(120_000);

describe('orochi:cluster:create', () => {
  let backend: Awaited<ReturnType<typeof startOrochiBackend>>;
  beforeAll(async () => {
    backend = await startOrochiBackend({ ports: { from: 58300, to: 58599 } });
  });
  afterAll(() => backend.stop());

  const clusters = async () => (await (await fetch(`${backend.baseUrl}/clusters`)).json()).items as Array<{ id: string; name: string }>;

  async function deleteAll() {
    const remove = createOrochiClusterDeleteAction(backend.deps);
    for (const { id } of await clusters()) {
      await remove.handler(contextWithCheckpoints({ clusterId: id, waitForDeletion: true, timeoutSeconds: 60 }, new Map()) as any);
    }
  }

  it('logs each provisioning step and outputs where to connect', async () => {
    const action = createOrochiClusterCreateAction(backend.deps);
    const ctx = contextWithCheckpoints({ name: 'steps-db', owner: 'team-payments', waitForReady: true, timeoutSeconds: 60 }, new Map());
    await action.handler(ctx as any);
    const logged = (ctx.logger.info as jest.Mock).mock.calls.map(([line]) => line);
    expect(logged).toEqual(expect.arrayContaining([expect.stringMatching(/^✓ Start primary \(\d+\.\d s\)$/), expect.stringMatching(/^✓ Wait until ready/)]));
    const [cluster] = await clusters();
    expect(ctx.output).toHaveBeenCalledWith('credentialsUrl', `http://portal.example.com/orochi/clusters/${cluster.id}`);
    await deleteAll();
  });

  it('creates nothing twice when the task is retried after its checkpoint was saved', async () => {
    const action = createOrochiClusterCreateAction(backend.deps);
    const checkpoints = new Map<string, JsonValue>();
    const input = { name: 'retry-db', owner: 'team-payments', waitForReady: true, timeoutSeconds: 60 };
    await action.handler(contextWithCheckpoints(input, checkpoints) as any);
    await action.handler(contextWithCheckpoints(input, checkpoints) as any);
    expect((await clusters()).map(c => c.name)).toEqual(['retry-db']);
    await deleteAll();
  });

  it('creates nothing twice when the task crashed after Orochi answered but before the checkpoint was saved', async () => {
    const action = createOrochiClusterCreateAction(backend.deps);
    const input = { name: 'crash-db', owner: 'team-payments', waitForReady: true, timeoutSeconds: 60 };
    const crashing = contextWithCheckpoints(input, new Map());
    crashing.checkpoint = async ({ fn }) => {
      await fn();
      throw new Error('the scaffolder died here');
    };
    await expect(action.handler(crashing as any)).rejects.toThrow('the scaffolder died here');
    const retried = contextWithCheckpoints(input, new Map());
    await action.handler(retried as any);
    const names = (await clusters()).map(c => c.name);
    expect(names).toEqual(['crash-db']);
    await deleteAll();
  });

  it('validates a dry run against the offering and creates nothing', async () => {
    const action = createOrochiClusterCreateAction(backend.deps);
    const dryRun = { ...contextWithCheckpoints({ name: 'dry-db', owner: 'team-payments', waitForReady: true, timeoutSeconds: 60 }, new Map()), isDryRun: true };
    await action.handler(dryRun as any);
    expect(dryRun.output).toHaveBeenCalledWith('entityRef', 'resource:default/dry-db');
    const badSize = { ...contextWithCheckpoints({ name: 'dry-db', owner: 'team-payments', size: 'huge', waitForReady: true, timeoutSeconds: 60 }, new Map()), isDryRun: true };
    await expect(action.handler(badSize as any)).rejects.toThrow('size: unknown size "huge"; one of small, medium, large');
    expect(await clusters()).toEqual([]);
  });

  it('fails clearly when Orochi refuses, and creates nothing', async () => {
    const action = createOrochiClusterCreateAction(backend.deps);
    const ctx = contextWithCheckpoints({ name: 'Bad Name', owner: 'team-payments', waitForReady: true, timeoutSeconds: 60 }, new Map());
    await expect(action.handler(ctx as any)).rejects.toThrow(/Creating cluster Bad Name was refused by Orochi \(400 InputError\): name: must be lowercase/);
    expect(await clusters()).toEqual([]);
  });
});

describe('orochi:cluster:create for a user the policy refuses', () => {
  it('fails with the permission error and creates nothing', async () => {
    const backend = await startOrochiBackend({ deny: true, ports: { from: 58600, to: 58699 } });
    try {
      const action = createOrochiClusterCreateAction(backend.deps);
      const ctx = contextWithCheckpoints({ name: 'denied-db', owner: 'team-payments', waitForReady: true, timeoutSeconds: 60 }, new Map());
      await expect(action.handler(ctx as any)).rejects.toThrow(/refused by Orochi \(403 NotAllowedError\): You may not orochi.cluster.create/);
    } finally {
      await backend.stop();
    }
  });
});
