import { eventually, isRunning, serverPids } from '@orochi/test-utils';
import { existsSync } from 'node:fs';
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
});
