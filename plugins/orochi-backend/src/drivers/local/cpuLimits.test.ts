import { isRunning, serverPids } from '@orochi/test-utils';
import { DriverCluster } from '@orochi/backstage-plugin-orochi-node';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { createTestDriver, driverDirectory, runSteps, testCluster, withSpec } from './__testUtils__/localDriverTesting';
import { probeCpuCgroups } from './cpuLimits';
import { LocalDriver } from './LocalDriver';

jest.setTimeout(120_000);

// Only a host whose cgroups the tests may not write skips these: they need the real kernel's quotas.
const probe = probeCpuCgroups();
const describeWhereCgroupsAreWritable = 'reason' in probe ? describe.skip : describe;
const title = `CPU limits through cgroups${'reason' in probe ? ` (skipped: ${probe.reason})` : ''}`;

describeWhereCgroupsAreWritable(title, () => {
  const hierarchy = 'hierarchy' in probe ? probe.hierarchy : undefined!;
  const files = driverDirectory();
  const ports = { from: 60300, to: 60399 };
  let driver: LocalDriver;
  beforeAll(async () => {
    driver = await createTestDriver({ dataDirectory: files.directory, ports });
  });
  afterAll(() => files.end());

  const members = (cgroup: string) =>
    readFileSync(join(cgroup, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  const quotaCpus = (cgroup: string) => {
    const [quota, period] =
      hierarchy.version === 2
        ? readFileSync(join(cgroup, 'cpu.max'), 'utf8').trim().split(' ')
        : ['cpu.cfs_quota_us', 'cpu.cfs_period_us'].map(file => readFileSync(join(cgroup, file), 'utf8').trim());
    return Number(quota) / Number(period);
  };
  const throttledPeriods = (cgroup: string) =>
    Number(/^nr_throttled (\d+)$/m.exec(readFileSync(join(cgroup, 'cpu.stat'), 'utf8'))![1]);
  /** The server's processes, its postmaster and the postmaster's children as ps lists them, not in its cgroup. */
  const outside = (cgroup: string, postmaster: number) => {
    const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(postmaster)], { encoding: 'utf8' });
    const processes = [postmaster, ...children.split('\n').filter(line => line.trim()).map(Number)];
    const inside = members(cgroup);
    return processes.filter(pid => !inside.includes(pid) && isRunning(pid));
  };
  const postmasterOf = (cluster: DriverCluster, index: number) => {
    const pgdata = join(driver.dataDirectory, 'clusters', cluster.id, 'instances', String(index), 'pgdata');
    return Number(readFileSync(join(pgdata, 'postmaster.pid'), 'utf8').split('\n')[0]);
  };

  it('keeps a server and its sessions to the cluster’s CPUs, scales the quota in place and removes the cgroup with the cluster', async () => {
    // Restart-only settings are sized for the top of the range: the scale below is a reload.
    const autoscaling = { enabled: true, minCu: 0.25, maxCu: 0.5 };
    const cluster = testCluster('cpu-limited', { autoscaling }, 0.25);
    await driver.apply(cluster, runSteps);
    const cgroup = driver.cpuCgroup(cluster, 0)!;
    expect(cgroup.startsWith(join(hierarchy.mount, 'orochi', 'default-'))).toBe(true);
    const [postmaster] = serverPids(driver.dataDirectory, cluster.id);
    const session = new Client({ ...(await driver.readCredentials(cluster)), connectionTimeoutMillis: 5000 });
    await session.connect();
    try {
      const backend = (await session.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      expect(members(cgroup)).toEqual(expect.arrayContaining([postmaster, backend]));
      expect(outside(cgroup, postmaster)).toEqual([]);
      expect(quotaCpus(cgroup)).toBe(0.25);

      // A query that wants a whole CPU gets a quarter: the kernel holds the cgroup back.
      const throttled = throttledPeriods(cgroup);
      await session.query('SELECT count(*) FROM generate_series(1, 5000000)');
      expect(throttledPeriods(cgroup)).toBeGreaterThan(throttled);

      await driver.apply({ ...withSpec(cluster, { size: 'medium', cu: 0.5, autoscaling }), cu: 0.5 }, runSteps);
      expect(quotaCpus(cgroup)).toBe(0.5);
      expect((await session.query('SELECT pg_backend_pid() AS pid')).rows[0].pid).toBe(backend);
      expect(members(cgroup)).toEqual(expect.arrayContaining([postmaster, backend]));
    } finally {
      await session.end();
    }

    await driver.delete(cluster, runSteps);
    expect(existsSync(cgroup)).toBe(false);
    expect(existsSync(dirname(cgroup))).toBe(false);
  });

  it('gives each server its own cgroup, puts running servers back in theirs when the backend starts, and releases a removed standby’s', async () => {
    const cluster = testCluster('cpu-adopted', { instances: 2 }, 0.5);
    await driver.apply(cluster, runSteps);
    const cgroups = [0, 1].map(index => driver.cpuCgroup(cluster, index)!);
    expect(cgroups.map(dirname)).toEqual([dirname(cgroups[0]), dirname(cgroups[0])]);
    const postmasters = [0, 1].map(index => postmasterOf(cluster, index));
    for (const [index, cgroup] of cgroups.entries()) {
      expect(quotaCpus(cgroup)).toBe(0.5);
      expect(outside(cgroup, postmasters[index])).toEqual([]);
    }

    // As if the primary's limit had been lost while the backend was down: its processes back in the root cgroup,
    // its cgroup gone.
    for (const pid of members(cgroups[0])) writeFileSync(join(hierarchy.mount, 'cgroup.procs'), String(pid));
    rmdirSync(cgroups[0]);
    await driver.close();
    driver = await createTestDriver({ dataDirectory: files.directory, ports });
    expect(quotaCpus(cgroups[0])).toBe(0.5);
    expect(outside(cgroups[0], postmasters[0])).toEqual([]);
    expect(outside(cgroups[1], postmasters[1])).toEqual([]);

    await driver.apply(withSpec(cluster, { instances: 1 }), runSteps);
    expect(existsSync(cgroups[1])).toBe(false);
    expect(outside(cgroups[0], postmasters[0])).toEqual([]);

    await driver.delete(cluster, runSteps);
    expect(existsSync(dirname(cgroups[0]))).toBe(false);
  });
});
