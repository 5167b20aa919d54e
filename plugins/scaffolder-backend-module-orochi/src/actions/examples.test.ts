import { JsonValue } from '@backstage/types';
import yaml from 'yaml';
import { connect, eventually } from '@orochi/test-utils';
import { createOrochiBranchCreateAction } from './createBranch';
import { createOrochiClusterCreateAction } from './createCluster';
import { createOrochiBranchDeleteAction } from './deleteBranch';
import { createOrochiClusterDeleteAction } from './deleteCluster';
import { createOrochiClusterWaitAction } from './waitForCluster';
import { contextWithCheckpoints, startOrochiBackend } from './__testUtils__/orochiBackend';

jest.setTimeout(120_000);

/** The example's step input, with references to earlier steps' outputs and to the parameters filled in. */
function exampleInput(example: string, outputs: Record<string, unknown>, parameters: Record<string, unknown> = {}) {
  const [step] = yaml.parse(example).steps;
  const filled = JSON.stringify(step.input)
    .replace(/\$\{\{ steps\.\w+\.output\.(\w+) \}\}/g, (_, key) => String(outputs[key]))
    .replace(/\$\{\{ parameters\.(\w+) \}\}/g, (_, key) => String(parameters[key]));
  return JSON.parse(filled);
}

const HOUR_MS = 3_600_000;
type Client = Awaited<ReturnType<typeof connect>>;

describe('the actions’ documented examples, against a real Orochi backend', () => {
  let backend: Awaited<ReturnType<typeof startOrochiBackend>>;
  beforeAll(async () => {
    backend = await startOrochiBackend({ ports: { from: 58000, to: 58299 } });
  });
  afterAll(() => backend.stop());

  it('runs every example of orochi:cluster:create, :wait and :delete', async () => {
    const create = createOrochiClusterCreateAction(backend.deps);
    const wait = createOrochiClusterWaitAction(backend.deps);
    const remove = createOrochiClusterDeleteAction(backend.deps);
    const created: Array<Record<string, unknown>> = [];

    for (const [index, { example }] of create.examples!.entries()) {
      const ctx = contextWithCheckpoints(exampleInput(example, {}), new Map<string, JsonValue>(), `create-${index}`);
      await create.handler(ctx as any);
      const outputs = Object.fromEntries((ctx.output as jest.Mock).mock.calls);
      expect(outputs).toMatchObject({ entityRef: `resource:default/${ctx.input.name}`, database: 'app', user: 'app' });
      expect(JSON.stringify(outputs)).not.toMatch(/password/i);
      created.push(outputs);
    }
    // The first two waited for their cluster: they are ready and connectable.
    expect(created[0]).toMatchObject({ host: 'localhost', port: expect.any(Number) });
    expect(created[1]).toMatchObject({ host: 'localhost', port: expect.any(Number) });

    for (const { example } of wait.examples!) {
      const ctx = contextWithCheckpoints(exampleInput(example, created[2]), new Map<string, JsonValue>());
      await wait.handler(ctx as any);
      expect(ctx.output).toHaveBeenCalledWith('status', 'ready');
    }

    for (const outputs of created) {
      for (const { example } of remove.examples!) {
        const ctx = contextWithCheckpoints(exampleInput(example, outputs), new Map<string, JsonValue>());
        await remove.handler(ctx as any);
      }
    }
    const remaining = await (await fetch(`${backend.baseUrl}/clusters`)).json();
    expect(remaining).toEqual({ items: [], totalCount: 0 });
  });

  it('runs every example of orochi:branch:create and :delete against a parent with data', async () => {
    const get = async (path: string) => (await fetch(`${backend.baseUrl}${path}`)).json();
    const post = async (path: string) => (await fetch(`${backend.baseUrl}${path}`, { method: 'POST' })).json();
    const opened: Client[] = [];
    const connectTo = async (clusterId: string) => {
      const client = await connect(await get(`/clusters/${clusterId}/credentials`));
      // Deleting a cluster ends its sessions; that is not the test's failure.
      client.on('error', () => undefined);
      opened.push(client);
      return client;
    };
    const notes = async (client: Client) => (await client.query('SELECT note FROM notes ORDER BY id')).rows.map(r => r.note);

    try {
      // The parent the examples name: orders-db, with a backup, so it has a recovery window.
      const parentCtx = contextWithCheckpoints({ name: 'orders-db', owner: 'team-payments', timeoutSeconds: 120 }, new Map());
      await createOrochiClusterCreateAction(backend.deps).handler(parentCtx as any);
      const parentId = String(Object.fromEntries((parentCtx.output as jest.Mock).mock.calls).clusterId);
      const parent = await connectTo(parentId);
      await parent.query('CREATE TABLE notes (id serial PRIMARY KEY, note text NOT NULL)');
      const backup = await post(`/clusters/${parentId}/backups`);
      await eventually('the backup', async () => {
        const operation = await get(`/operations/${backup.operation.id}`);
        if (operation.state === 'failed') throw new Error(`The backup failed: ${operation.error}`);
        return operation.state === 'succeeded' ? operation : undefined;
      });
      await parent.query(`INSERT INTO notes (note) VALUES ('A')`);
      await parent.query('SELECT pg_sleep(0.002)');
      const before: string = (await parent.query('SELECT now() AS at')).rows[0].at.toISOString();
      await parent.query(`INSERT INTO notes (note) VALUES ('B')`);

      const create = createOrochiBranchCreateAction(backend.deps);
      const parameters = { database: 'resource:default/orders-db', before };
      const branches: Array<Record<string, any>> = [];
      for (const [index, { example }] of create.examples!.entries()) {
        const ctx = contextWithCheckpoints(exampleInput(example, {}, parameters), new Map<string, JsonValue>(), `branch-${index}`);
        const started = Date.now();
        await create.handler(ctx as any);
        const outputs = Object.fromEntries((ctx.output as jest.Mock).mock.calls);
        expect(outputs).toMatchObject({
          entityRef: `resource:default/${ctx.input.name}`,
          parentEntityRef: 'resource:default/orders-db',
          host: 'localhost',
          port: expect.any(Number),
          database: 'app',
          user: 'app',
          credentialsUrl: `http://portal.example.com/orochi/clusters/${outputs.clusterId}`,
        });
        const ttlHours = ctx.input.ttlHours ?? 24;
        expect(Date.parse(outputs.expiresAt)).toBeGreaterThanOrEqual(started + ttlHours * HOUR_MS - 5000);
        expect(Date.parse(outputs.expiresAt)).toBeLessThanOrEqual(Date.now() + ttlHours * HOUR_MS);
        expect(JSON.stringify(outputs)).not.toMatch(/password/i);
        branches.push(outputs);
      }

      // Branches of the parent as it was then: now (A and B) twice, and before B.
      expect(await Promise.all(branches.map(async b => notes(await connectTo(b.clusterId))))).toEqual([['A', 'B'], ['A', 'B'], ['A']]);
      const listed = await get(`/clusters/${parentId}/branches`);
      expect(listed.items.map((b: { name: string }) => b.name).sort()).toEqual(['orders-db-before-migration', 'orders-db-load-test', 'orders-db-pr-42']);
      expect(listed.items.find((b: { name: string }) => b.name === 'orders-db-before-migration').parent).toEqual({
        kind: 'branch',
        clusterId: parentId,
        clusterName: 'orders-db',
        targetTime: before,
      });

      const removeBranch = createOrochiBranchDeleteAction(backend.deps);
      const [byId, byName] = removeBranch.examples!.map(({ example }) => example);
      // The delete action never touches a cluster that is not a branch; and a parent with branches stays.
      await expect(removeBranch.handler(contextWithCheckpoints({ name: 'orders-db' }, new Map()) as any)).rejects.toThrow(
        'orders-db is not a branch (it is a cluster of its own); orochi:branch:delete deletes branches only, and left it alone',
      );
      await expect(
        createOrochiClusterDeleteAction(backend.deps).handler(contextWithCheckpoints({ clusterId: parentId }, new Map()) as any),
      ).rejects.toThrow(/refused by Orochi \(409 ConflictError\): Cluster orders-db has branches/);

      for (const outputs of branches.slice(1)) {
        await removeBranch.handler(contextWithCheckpoints(exampleInput(byId, outputs), new Map()) as any);
        expect((await fetch(`${backend.baseUrl}/clusters/${outputs.clusterId}`)).status).toBe(404);
      }
      // By name, without waiting: it goes in a moment.
      expect(exampleInput(byName, {}).name).toBe(branches[0].entityRef.replace('resource:default/', ''));
      await removeBranch.handler(contextWithCheckpoints(exampleInput(byName, {}), new Map()) as any);
      await eventually('the branch deleted by name to be gone', async () =>
        (await fetch(`${backend.baseUrl}/clusters/${branches[0].clusterId}`)).status === 404 ? true : undefined,
      );

      await createOrochiClusterDeleteAction(backend.deps).handler(contextWithCheckpoints({ clusterId: parentId }, new Map()) as any);
      expect(await get('/clusters')).toEqual({ items: [], totalCount: 0 });
    } finally {
      await Promise.all(opened.map(client => client.end().catch(() => undefined)));
    }
  }, 600_000);
});
