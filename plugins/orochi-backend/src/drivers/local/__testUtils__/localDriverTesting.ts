import { mockServices } from '@backstage/backend-test-utils';
import { clusterSpec, eventually, localDriverDirectory, stopServers } from '@orochi/test-utils';
import { ClusterSpec } from '@orochi/backstage-plugin-orochi-common';
import { DriverCluster, DriverOperationContext } from '@orochi/backstage-plugin-orochi-node';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { scopeCgroup } from '../cgroups';
import { probeCpuCgroups } from '../cpuLimits';
import { DEFAULT_INSTALLATION_ID } from '../constants';
import { LocalDriver } from '../LocalDriver';

/** An operation context that runs each step at once. */
export const runSteps: DriverOperationContext = {
  step: (_name, fn) => fn(),
  signal: new AbortController().signal,
};

/** A cluster for the driver: a fresh id, the default spec with `overrides`, `cu` compute units (default 1). */
export function testCluster(name: string, overrides: Partial<ClusterSpec> = {}, cu = 1): DriverCluster {
  return { id: randomUUID(), spec: { ...clusterSpec(name, overrides), cu }, cu };
}

/** The same cluster with a changed spec, as the engine hands it over for a hibernate, wake or resize. */
export function withSpec(cluster: DriverCluster, overrides: Partial<ClusterSpec>): DriverCluster {
  return { ...cluster, spec: { ...cluster.spec, ...overrides } };
}

/**
 * A directory for test drivers (shared by several drivers when a test gives it to each), cleaned up by `end`:
 * the servers, their files and the CPU cgroups of clusters a test left.
 */
export function driverDirectory() {
  const directory = localDriverDirectory();
  return {
    directory,
    async end() {
      const cgroups = cpuCgroupScopes(directory);
      stopServers(directory);
      // A cgroup can go once the stopped servers' processes have exited.
      await eventually('the servers’ cgroups to go', async () => {
        cgroups.forEach(removeCgroupTree);
        return true;
      });
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** The cgroups the drivers of each installation with clusters in the directory limit their servers' CPU in. */
function cpuCgroupScopes(directory: string): string[] {
  const probe = probeCpuCgroups();
  const clusters = join(directory, 'clusters');
  if (!('hierarchy' in probe) || !existsSync(clusters)) return [];
  const installationOf = (id: string) =>
    (existsSync(join(clusters, id, 'meta.json')) && readMeta(directory, id).installationId) || DEFAULT_INSTALLATION_ID;
  const installations = new Set(readdirSync(clusters).map(installationOf));
  return [...installations].map(installation => join(probe.hierarchy.mount, scopeCgroup(installation, directory)));
}

/** Removes a cgroup and the cgroups below it; throws while processes are in any of them. */
function removeCgroupTree(cgroup: string) {
  if (!existsSync(cgroup)) return;
  for (const entry of readdirSync(cgroup, { withFileTypes: true })) {
    if (entry.isDirectory()) removeCgroupTree(join(cgroup, entry.name));
  }
  rmdirSync(cgroup);
}

/** A local driver on the host's PostgreSQL, on its own port range. */
export function createTestDriver(options: {
  dataDirectory: string;
  ports: { from: number; to: number };
  installationId?: string;
}) {
  return LocalDriver.create({
    config: {
      dataDirectory: options.dataDirectory,
      host: 'localhost',
      listenAddress: '127.0.0.1',
      portRange: options.ports,
      serverUser: 'postgres',
      cpuLimits: 'auto',
    },
    logger: mockServices.logger.mock(),
    installationId: options.installationId,
  });
}

/** The driver's metadata file of a cluster, as written. */
export function readMeta(dataDirectory: string, clusterId: string): { ports: number[]; installationId?: string } {
  return JSON.parse(readFileSync(join(dataDirectory, 'clusters', clusterId, 'meta.json'), 'utf8'));
}

/** Runs `fn` connected as the application role to one instance of a cluster (0 is the primary). */
export async function withInstance<T>(
  driver: LocalDriver,
  cluster: DriverCluster,
  index: number,
  fn: (client: Client) => Promise<T>,
): Promise<T> {
  const credentials = await driver.readCredentials(cluster);
  const port = readMeta(driver.dataDirectory, cluster.id).ports[index];
  const client = new Client({ ...credentials, port, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
