import { mockServices } from '@backstage/backend-test-utils';
import { clusterSpec, localDriverDirectory, stopServers } from '@orochi/test-utils';
import { ClusterSpec } from '@orochi/backstage-plugin-orochi-common';
import { DriverCluster, DriverOperationContext } from '@orochi/backstage-plugin-orochi-node';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
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

/** A directory for test drivers (shared by several drivers when a test gives it to each), cleaned up by `end`. */
export function driverDirectory() {
  const directory = localDriverDirectory();
  return {
    directory,
    end() {
      stopServers(directory);
      rmSync(directory, { recursive: true, force: true });
    },
  };
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
