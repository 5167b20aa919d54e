import { eventually, isRunning, serverPids } from '@orochi/test-utils';
import { existsSync } from 'node:fs';
import { Client } from 'pg';
import { join } from 'node:path';
import {
  createTestDriver,
  driverDirectory,
  runSteps,
  testCluster,
  withInstance,
  withSpec,
} from './__testUtils__/localDriverTesting';
import { LocalDriver } from './LocalDriver';

jest.setTimeout(120_000);

describe('the local driver', () => {
  const files = driverDirectory();
  let driver: LocalDriver;
  beforeAll(async () => {
    driver = await createTestDriver({ dataDirectory: files.directory, ports: { from: 55500, to: 55599 } });
  });
  afterAll(() => files.end());

  const setting = (cluster: ReturnType<typeof testCluster>, index: number, name: string) =>
    withInstance(driver, cluster, index, async client => (await client.query(`SHOW ${name}`)).rows[0][name]);

  it('creates, scales, resizes, hibernates, wakes and deletes a cluster', async () => {
    const cluster = testCluster('lifecycle', { instances: 2 });
    expect(await driver.capabilities()).toEqual({ versions: [cluster.spec.version], pooling: false, schedulesBackups: false });
    expect(await driver.observe(cluster)).toMatchObject({ phase: 'missing', instances: 0 });

    const steps: string[] = [];
    await driver.apply(cluster, {
      ...runSteps,
      step: (name, fn) => {
        steps.push(name);
        return fn();
      },
    });
    expect(steps).toEqual([
      'Allocate directories and ports',
      'Initialise data directory',
      'Start primary',
      'Create application database',
      'Converge to 1 streaming standbys',
    ]);
    const observed = await driver.observe(cluster);
    expect(observed).toMatchObject({ phase: 'running', instances: 2, readyInstances: 2 });
    expect(observed.endpoints.map(e => e.role)).toEqual(['primary', 'replica']);
    const credentials = await driver.readCredentials(cluster);
    expect(credentials).toMatchObject({ host: 'localhost', port: observed.endpoints[0].port, database: 'app', user: 'app' });
    expect(await withInstance(driver, cluster, 0, async c => (await c.query('SELECT current_user AS u')).rows)).toEqual([{ u: 'app' }]);
    expect(await setting(cluster, 1, 'transaction_read_only')).toBe('on');

    const metrics = await driver.readMetrics(cluster);
    expect(metrics).toMatchObject({ connections: expect.any(Number), storageBytes: expect.any(Number) });
    expect(metrics!.memoryBytes).toBeGreaterThan(0);

    // 1 CU: a quarter of 2 GiB as shared buffers; 2 CU restarts the servers with twice as much.
    expect(await setting(cluster, 0, 'shared_buffers')).toBe('512MB');
    const resized = { ...withSpec(cluster, { cu: 2 }), cu: 2 };
    await driver.apply(resized, runSteps);
    expect(await setting(cluster, 0, 'shared_buffers')).toBe('1GB');
    expect(await setting(cluster, 1, 'shared_buffers')).toBe('1GB');

    // Down to the primary alone: the standby's server stops and its files go.
    await driver.apply(withSpec(resized, { instances: 1 }), runSteps);
    expect(await driver.observe(cluster)).toMatchObject({ phase: 'running', instances: 1, readyInstances: 1 });
    const instances = join(driver.dataDirectory, 'clusters', cluster.id, 'instances');
    expect(existsSync(join(instances, '1'))).toBe(false);

    await driver.apply(withSpec(resized, { instances: 1, hibernated: true }), runSteps);
    expect(await driver.observe(cluster)).toMatchObject({ phase: 'stopped', readyInstances: 0, endpoints: [] });
    expect(serverPids(driver.dataDirectory, cluster.id).filter(isRunning)).toEqual([]);
    await driver.apply(withSpec(resized, { instances: 1 }), runSteps);
    expect(await driver.observe(cluster)).toMatchObject({ phase: 'running', readyInstances: 1 });

    const pids = serverPids(driver.dataDirectory, cluster.id);
    await driver.delete(cluster, runSteps);
    await eventually('the servers to stop', async () => (pids.some(isRunning) ? undefined : true));
    expect(existsSync(join(driver.dataDirectory, 'clusters', cluster.id))).toBe(false);
    expect(await driver.observe(cluster)).toMatchObject({ phase: 'missing' });
    expect(await driver.listClusterIds()).toEqual([]);
  });

  it('runs a cluster whose size is no longer configured: it only needs the compute units', async () => {
    const cluster = testCluster('retired-size', { size: 'size-removed-from-config' }, 0.25);
    await driver.apply(cluster, runSteps);
    expect(await driver.observe(cluster)).toMatchObject({ phase: 'running', readyInstances: 1 });
    expect(await setting(cluster, 0, 'shared_buffers')).toBe('128MB');
    expect(await driver.readMetrics(cluster)).toBeDefined();
    await driver.apply(withSpec(cluster, { hibernated: true }), runSteps);
    await driver.apply(cluster, runSteps);
    expect(await driver.observe(cluster)).toMatchObject({ phase: 'running' });
    await driver.delete(cluster, runSteps);
  });

  it('relays clients to the primary with their password checked, and never the superuser', async () => {
    const cluster = testCluster('guarded');
    await driver.apply(cluster, runSteps);
    const credentials = await driver.readCredentials(cluster);
    await expect(new Client({ ...credentials, password: 'not-the-password' }).connect()).rejects.toThrow(
      'password authentication failed for user "app"',
    );
    await expect(new Client({ ...credentials, user: 'postgres', password: '' }).connect()).rejects.toThrow(
      "postgres is Orochi's own role; connect as the application role",
    );
    await driver.delete(cluster, runSteps);
  });

  it('counts the CPU of sessions that have ended', async () => {
    const cluster = testCluster('cpu-counted');
    await driver.apply(cluster, runSteps);
    const before = (await driver.readMetrics(cluster))!.cpuSecondsTotal;
    const backend = await withInstance(driver, cluster, 0, async client => {
      await client.query('SELECT count(*) FROM generate_series(1, 10000000)');
      return (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
    });
    await eventually('the session’s backend to exit', async () => (isRunning(backend) ? undefined : true));
    const after = (await driver.readMetrics(cluster))!.cpuSecondsTotal;
    expect(after - before).toBeGreaterThan(0.1);
    await driver.delete(cluster, runSteps);
  });

  it('reports what keeps a cluster awake: sessions at work or in a transaction, not idle ones nor its own', async () => {
    const cluster = testCluster('activity');
    await driver.apply(cluster, runSteps);
    const credentials = await driver.readCredentials(cluster);
    const [idle, inTransaction] = [new Client(credentials), new Client(credentials)];
    await Promise.all([idle.connect(), inTransaction.connect()]);
    try {
      await idle.query('SELECT 1');
      await inTransaction.query('BEGIN');
      await inTransaction.query('SELECT 1');
      expect(await driver.readMetrics(cluster)).toMatchObject({ connections: 2, activeSessions: 1 });
      await inTransaction.query('COMMIT');
      const quiet = (await driver.readMetrics(cluster))!;
      expect(quiet).toMatchObject({ connections: 2, activeSessions: 0, lastActivityAt: expect.any(String) });
      expect(Date.now() - Date.parse(quiet.lastActivityAt!)).toBeLessThan(60_000);
      // Orochi's own monitoring queries are not the application's transactions.
      expect((await driver.readMetrics(cluster))!.transactionsTotal).toBe(quiet.transactionsTotal);
    } finally {
      await Promise.all([idle.end(), inTransaction.end()]);
    }
    await driver.delete(cluster, runSteps);
  });

  it('scales an autoscaled cluster within its range by a reload that keeps open sessions', async () => {
    const autoscaling = { enabled: true, minCu: 1, maxCu: 4 };
    const cluster = testCluster('autoscaled', { autoscaling });
    await driver.apply(cluster, runSteps);
    const credentials = await driver.readCredentials(cluster);
    const session = new Client({ ...credentials, connectionTimeoutMillis: 5000 });
    await session.connect();
    try {
      const backend = (await session.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      // What only a restart changes is sized for the top of the range from the start: 4 CU.
      expect(await setting(cluster, 0, 'shared_buffers')).toBe('2GB');
      expect(await setting(cluster, 0, 'work_mem')).toBe('8MB');

      await driver.apply({ ...withSpec(cluster, { size: 'medium', cu: 2, autoscaling }), cu: 2 }, runSteps);
      // A reload: the session is the same backend, and it sees the new size's settings.
      expect((await session.query('SELECT pg_backend_pid() AS pid')).rows[0].pid).toBe(backend);
      await eventually('the reloaded settings', async () =>
        (await session.query('SHOW work_mem')).rows[0].work_mem === '16MB' &&
        (await session.query('SHOW effective_cache_size')).rows[0].effective_cache_size === '3GB'
          ? true
          : undefined,
      );
      expect(await setting(cluster, 0, 'shared_buffers')).toBe('2GB');
    } finally {
      await session.end();
    }
    await driver.delete(cluster, runSteps);
  });
});
