import { JsonValue } from '@backstage/types';
import yaml from 'yaml';
import { createOrochiClusterCreateAction } from './createCluster';
import { createOrochiClusterDeleteAction } from './deleteCluster';
import { createOrochiClusterWaitAction } from './waitForCluster';
import { contextWithCheckpoints, startOrochiBackend } from './__testUtils__/orochiBackend';

jest.setTimeout(120_000);

/** The example's step input, with references to earlier steps' outputs filled in. */
function exampleInput(example: string, outputs: Record<string, unknown>) {
  const [step] = yaml.parse(example).steps;
  const filled = JSON.stringify(step.input).replace(/\$\{\{ steps\.database\.output\.(\w+) \}\}/g, (_, key) => String(outputs[key]));
  return JSON.parse(filled);
}

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
});
