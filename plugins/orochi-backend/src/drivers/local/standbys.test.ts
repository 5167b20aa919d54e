import { eventually } from '@orochi/test-utils';
import { createServer, Server } from 'node:net';
import {
  createTestDriver,
  driverDirectory,
  readMeta,
  runSteps,
  testCluster,
  withInstance,
  withSpec,
} from './__testUtils__/localDriverTesting';
import { LocalDriver } from './LocalDriver';

jest.setTimeout(120_000);

describe('standbys', () => {
  const files = driverDirectory();
  let driver: LocalDriver;
  let squatter: Server | undefined;
  beforeAll(async () => {
    driver = await createTestDriver({ dataDirectory: files.directory, ports: { from: 55300, to: 55399 } });
  });
  afterAll(async () => {
    await new Promise(resolve => (squatter ? squatter.close(resolve) : resolve(undefined)));
    await files.end();
  });

  /** Standbys streaming from the primary, as the primary and each standby see it. */
  const streaming = async (cluster: ReturnType<typeof testCluster>) => {
    const senders = await withInstance(driver, cluster, 0, async client =>
      (await client.query("SELECT count(*)::int AS n FROM pg_stat_replication WHERE state = 'streaming'")).rows[0].n,
    );
    const receiver = await withInstance(driver, cluster, 1, async client =>
      (await client.query('SELECT status FROM pg_stat_wal_receiver')).rows[0]?.status,
    );
    return senders === 1 && receiver === 'streaming' ? true : undefined;
  };

  it('follow the primary when it moves to another port on wake', async () => {
    const cluster = testCluster('follows', { instances: 2 });
    await driver.apply(cluster, runSteps);
    await eventually('the standby to stream', () => streaming(cluster), 30_000);

    await driver.apply(withSpec(cluster, { hibernated: true }), runSteps);
    expect(await driver.observe(cluster)).toMatchObject({ phase: 'stopped', readyInstances: 0 });
    const [oldPrimaryPort] = readMeta(driver.dataDirectory, cluster.id).ports;

    // While the cluster sleeps and the backend is down (its connection proxy holds the port otherwise), another
    // program takes the primary's port; the backend starts again.
    await driver.close();
    squatter = createServer();
    await new Promise<void>((resolve, reject) => {
      squatter!.once('error', reject);
      squatter!.listen(oldPrimaryPort, '127.0.0.1', resolve);
    });

    driver = await createTestDriver({ dataDirectory: files.directory, ports: { from: 55300, to: 55399 } });
    await driver.apply(cluster, runSteps);
    const [newPrimaryPort] = readMeta(driver.dataDirectory, cluster.id).ports;
    expect(newPrimaryPort).not.toBe(oldPrimaryPort);
    await eventually('the standby to stream from the moved primary', () => streaming(cluster), 30_000);
    expect(await driver.observe(cluster)).toMatchObject({ phase: 'running', readyInstances: 2 });

    // And it keeps following: a write on the primary reaches the standby.
    await withInstance(driver, cluster, 0, client => client.query("CREATE TABLE moved AS SELECT 'after the move' AS note"));
    await eventually('the write to reach the standby', () =>
      withInstance(driver, cluster, 1, async client => (await client.query('SELECT note FROM moved')).rows[0]?.note),
    30_000).then(note => expect(note).toBe('after the move'));

    await driver.delete(cluster, runSteps);
  });
});
