import { isRunning } from '@orochi/test-utils';
import { ChildProcess, spawn } from 'node:child_process';
import { chownSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

/**
 * After a host restart a data directory can keep the postmaster.pid of a server that no longer runs, and its
 * PID can by then belong to any other process. Such a file must not be taken for a running server.
 */
describe('a stale postmaster.pid', () => {
  const files = driverDirectory();
  let driver: LocalDriver;
  const others: ChildProcess[] = [];
  /** Stale files written, with the PID they name, so cleanup never signals that process. */
  const staleFiles: Array<{ file: string; pid: number }> = [];
  beforeAll(async () => {
    driver = await createTestDriver({ dataDirectory: files.directory, ports: { from: 55200, to: 55299 } });
  });
  afterAll(async () => {
    for (const { file, pid } of staleFiles) {
      if (existsSync(file) && Number(readFileSync(file, 'utf8').split('\n')[0]) === pid) rmSync(file);
    }
    others.forEach(child => child.kill('SIGKILL'));
    await files.end();
  });

  /** Live processes that are not this data directory's server. */
  const unrelatedProcesses: Array<[string, () => Promise<number> | number]> = [
    [
      'a process of the server user',
      () => {
        // As the server user when the tests run as root, so PostgreSQL itself would see a live process too.
        const [, , uid, gid] = process.getuid?.() === 0 ? passwdEntry('postgres') : [];
        const identity = uid ? { uid: Number(uid), gid: Number(gid) } : {};
        const child = spawn('sleep', ['600'], { ...identity, stdio: 'ignore', detached: true });
        others.push(child);
        return child.pid!;
      },
    ],
    ['the backend itself', () => process.pid],
    [
      "another cluster's server",
      async () => {
        const other = testCluster('other-server');
        await driver.apply(other, runSteps);
        const otherPidFile = join(driver.dataDirectory, 'clusters', other.id, 'instances', '0', 'pgdata', 'postmaster.pid');
        return Number(readFileSync(otherPidFile, 'utf8').split('\n')[0]);
      },
    ],
  ];

  it.each(unrelatedProcesses)('naming %s: the cluster is observed stopped and wakes', async (_what, unrelated) => {
    const cluster = testCluster('stale-pid');
    await driver.apply(cluster, runSteps);
    const pgdata = join(driver.dataDirectory, 'clusters', cluster.id, 'instances', '0', 'pgdata');
    const pidFile = join(pgdata, 'postmaster.pid');
    const written = readFileSync(pidFile, 'utf8');
    const owner = statSync(pidFile);

    await driver.apply(withSpec(cluster, { hibernated: true }), runSteps);
    expect(existsSync(pidFile)).toBe(false);

    // What a server killed by a power cut leaves: its pid file, whose PID now names another process.
    const pid = await unrelated();
    expect(isRunning(pid)).toBe(true);
    const writeStale = () => {
      const lines = written.split('\n');
      lines[0] = String(pid);
      staleFiles.push({ file: pidFile, pid });
      writeFileSync(pidFile, lines.join('\n'), { mode: 0o600 });
      chownSync(pidFile, owner.uid, owner.gid);
    };
    writeStale();

    expect(await driver.observe(cluster)).toMatchObject({ phase: 'stopped', readyInstances: 0, endpoints: [] });
    expect(await driver.readMetrics(cluster)).toBeUndefined();

    await driver.apply(cluster, runSteps);
    expect(await driver.observe(cluster)).toMatchObject({ phase: 'running', readyInstances: 1 });
    expect(await withInstance(driver, cluster, 0, async c => (await c.query('SELECT 1 AS one')).rows)).toEqual([{ one: 1 }]);
    // The server runs under its own PID, and the unrelated process was left alone.
    expect(Number(readFileSync(pidFile, 'utf8').split('\n')[0])).not.toBe(pid);
    expect(isRunning(pid)).toBe(true);

    // Stopping and deleting a cluster with such a file signals nobody.
    await driver.apply(withSpec(cluster, { hibernated: true }), runSteps);
    writeStale();
    await driver.apply(withSpec(cluster, { hibernated: true }), runSteps);
    await driver.delete(cluster, runSteps);
    expect(existsSync(pgdata)).toBe(false);
    expect(isRunning(pid)).toBe(true);
  });
});

function passwdEntry(user: string): string[] {
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map(line => line.split(':'))
    .find(fields => fields[0] === user);
  if (!entry) throw new Error(`No user ${user}`);
  return entry;
}
