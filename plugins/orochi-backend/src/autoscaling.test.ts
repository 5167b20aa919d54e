import { binDirectory, eventually, localDriverDirectory, stopServers, waitForOperation } from '@orochi/test-utils';
import { ChildProcess, spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import request from 'supertest';
import { startLocalBackend } from './__testUtils__/localBackend';

jest.setTimeout(300_000);

const pgbenchBinary = () => join(binDirectory(), 'pgbench');

/**
 * The autoscaler end to end with real load: pgbench (through the connection proxy) drives a 1 CU cluster's CPU over
 * its target, the autoscaler scales it up; once the load stops it scales down after its cooldown. The schedule is
 * compressed (rounds are triggered, short window and cooldowns); the metrics are the driver's own.
 */
describe('autoscaling under real load', () => {
  const dataDirectory = localDriverDirectory();
  let scheduler: Awaited<ReturnType<typeof startLocalBackend>>['scheduler'];
  let server: Server;
  let api: string;
  let load: ChildProcess | undefined;

  beforeAll(async () => {
    ({ server, api, scheduler } = await startLocalBackend({
      dataDirectory,
      ports: { from: 58800, to: 58899 },
      // A low CPU target, so that the load drives the cluster over it even when the test runs beside others on a
      // busy machine.
      orochi: {
        autoscaling: { cpuTarget: 0.3, window: { seconds: 6 }, scaleUpCooldown: { seconds: 5 }, scaleDownCooldown: { seconds: 10 } },
      },
    }));
  });

  afterAll(() => {
    load?.kill('SIGKILL');
    stopServers(dataDirectory);
    rmSync(dataDirectory, { recursive: true, force: true });
  });

  const call = () => request(api);

  /** One round: a sample, then the autoscaler; callers poll it until the decision they wait for. */
  async function round(id: string) {
    await scheduler.triggerTask('orochi-metrics');
    await scheduler.triggerTask('orochi-autoscaler');
    return (await call().get(`/clusters/${id}/autoscaling/decisions?minutes=10`)).body.items;
  }

  it('scales up while pgbench runs through the proxy, and down after the cooldown once it stops', async () => {
    const created = await call()
      .post('/clusters')
      .send({ name: 'loaded-db', owner: 'team-payments', autoscaling: { enabled: true, minCu: 1, maxCu: 2 } });
    expect(await waitForOperation(server, created.body.operation.id)).toMatchObject({ state: 'succeeded' });
    const id: string = created.body.cluster.id;
    const { host, port, user, password, database } = (await call().get(`/clusters/${id}/credentials`)).body;
    const env = { ...process.env, PGHOST: host, PGPORT: String(port), PGUSER: user, PGPASSWORD: password, PGDATABASE: database };

    // Two clients of transactions that compute more than they send.
    const script = join(dataDirectory, 'compute.sql');
    writeFileSync(script, 'SELECT count(*) FROM generate_series(1, 200000);\n');
    load = spawn(pgbenchBinary(), ['-f', script, '-c', '2', '-j', '2', '-T', '600', '-n'], { env, stdio: 'ignore' });
    const scaledUp = await eventually(
      'a scale-up under load',
      async () => (await round(id)).find((d: { action: string }) => d.action === 'scale-up'),
      180_000,
    );
    expect(scaledUp).toMatchObject({ from: { size: 'small', cu: 1 }, to: { size: 'medium', cu: 2 }, rule: expect.stringMatching(/^CPU \d+ % is above 33 % \(30 % × 1\.1\)/) });
    expect(scaledUp.inputs.cpuPercent).toBeGreaterThan(33);
    expect(await waitForOperation(server, scaledUp.operationId)).toMatchObject({ state: 'succeeded', requestedBy: 'orochi:autoscaler' });
    // The scale was a reload: pgbench's sessions survived it.
    expect(load.exitCode).toBeNull();

    load.kill('SIGINT');
    const scaledDown = await eventually(
      'a scale-down once idle',
      async () => (await round(id)).find((d: { action: string }) => d.action === 'scale-down'),
      180_000,
    );
    expect(scaledDown).toMatchObject({ from: { size: 'medium' }, to: { size: 'small' } });
    expect((Date.parse(scaledDown.decidedAt) - Date.parse(scaledUp.decidedAt)) / 1000).toBeGreaterThanOrEqual(10);
    expect(await waitForOperation(server, scaledDown.operationId)).toMatchObject({ state: 'succeeded' });

    // No flapping: one step up, one step down, and nothing else changed.
    const changes = (await round(id)).filter((d: { action: string }) => d.action !== 'none').map((d: { action: string }) => d.action);
    expect(changes).toEqual(['scale-down', 'scale-up']);
    expect((await call().get(`/clusters/${id}`)).body).toMatchObject({ size: 'small', cu: 1 });

    const deleted = await call().delete(`/clusters/${id}`);
    expect(await waitForOperation(server, deleted.body.operation.id)).toMatchObject({ state: 'succeeded' });
  });
});
