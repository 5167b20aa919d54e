import { connect, eventually, localDriverDirectory, stopServers, waitForOperation } from '@orochi/test-utils';
import { rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { Client } from 'pg';
import request from 'supertest';
import { startLocalBackend } from './__testUtils__/localBackend';

jest.setTimeout(300_000);

/**
 * Scale to zero and wake on connect on real servers of the local driver: a cluster idle for its idle minute is
 * suspended by the idle job, and clients connecting to its unchanged address wake it and get their answers.
 */
describe('scale to zero and wake on connect', () => {
  const dataDirectory = localDriverDirectory();
  let scheduler: Awaited<ReturnType<typeof startLocalBackend>>['scheduler'];
  let server: Server;
  let api: string;

  beforeAll(async () => {
    ({ server, api, scheduler } = await startLocalBackend({ dataDirectory, ports: { from: 58700, to: 58799 } }));
  });

  afterAll(() => {
    stopServers(dataDirectory);
    rmSync(dataDirectory, { recursive: true, force: true });
  });

  const call = () => request(api);
  const cluster = async (id: string) => (await call().get(`/clusters/${id}`)).body;

  it('suspends an idle cluster, and 100 clients on its unchanged address wake it once and all get answers', async () => {
    // Medium: 200 connections, room for 100 clients.
    const created = await call()
      .post('/clusters')
      .send({ name: 'sleepy-db', owner: 'team-payments', size: 'medium', scaleToZero: { enabled: true, idleMinutes: 1 } });
    expect(await waitForOperation(server, created.body.operation.id)).toMatchObject({ state: 'succeeded' });
    const id: string = created.body.cluster.id;
    const credentials = (await call().get(`/clusters/${id}/credentials`)).body;
    const setup = await connect(credentials);
    await setup.query('CREATE TABLE visits (n int)');
    await setup.query('INSERT INTO visits VALUES (1)');
    await setup.end();

    // A minute without activity, sampled: the idle job suspends it.
    const suspension = await eventually(
      'the idle job to suspend the cluster',
      async () => {
        await scheduler.triggerTask('orochi-metrics');
        await scheduler.triggerTask('orochi-suspend-idle');
        const { body } = await call().get(`/clusters/${id}/operations`);
        return body.items?.find((o: { type: string }) => o.type === 'suspend');
      },
      180_000,
    );
    expect(suspension).toMatchObject({ requestedBy: 'orochi:idle', parameters: { idleMinutes: 1 } });
    expect(await waitForOperation(server, suspension.id)).toMatchObject({ state: 'succeeded' });
    const suspended = await cluster(id);
    expect(suspended).toMatchObject({ status: 'suspended', hibernated: true, idleSuspended: true });
    // Its address stays: connecting wakes it.
    expect(suspended.endpoints).toEqual([expect.objectContaining({ role: 'primary', port: credentials.port })]);

    const answers = await Promise.all(
      Array.from({ length: 100 }, async () => {
        // Held while the cluster wakes: longer than the test helper's usual 5 s on a busy machine.
        const client = new Client({ connectionString: credentials.uri, connectionTimeoutMillis: 60_000 });
        await client.connect();
        try {
          return (await client.query('SELECT count(*)::int AS n FROM visits')).rows[0].n;
        } finally {
          await client.end();
        }
      }),
    );
    expect(answers).toEqual(Array(100).fill(1));
    const operations = (await call().get(`/clusters/${id}/operations`)).body.items;
    const wakes = operations.filter((o: { type: string }) => o.type === 'wake');
    expect(wakes).toEqual([expect.objectContaining({ requestedBy: 'orochi:wake-on-connect', state: 'succeeded' })]);
    expect(await cluster(id)).toMatchObject({ status: 'ready', hibernated: false });
    expect(await cluster(id)).not.toHaveProperty('idleSuspended');

    const deleted = await call().delete(`/clusters/${id}`);
    expect(await waitForOperation(server, deleted.body.operation.id)).toMatchObject({ state: 'succeeded' });
  });
});
