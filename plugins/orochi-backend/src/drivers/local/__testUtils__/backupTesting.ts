import { RestoreTarget } from '@orochi/backstage-plugin-orochi-common';
import { DriverCluster, DriverOperationContext } from '@orochi/backstage-plugin-orochi-node';
import { Client } from 'pg';
import { LocalDriver } from '../LocalDriver';
import { runSteps, testCluster, withInstance } from './localDriverTesting';

/** The notes a cluster's `notes` table holds, in order. */
export function notes(driver: LocalDriver, cluster: DriverCluster): Promise<string[]> {
  return withInstance(driver, cluster, 0, async client =>
    (await client.query('SELECT note FROM notes ORDER BY id')).rows.map(row => row.note),
  );
}

/** Restores `target` of `source` into a new cluster named `name` and converges it, as the backend does. */
export async function restoreInto(
  driver: LocalDriver,
  source: DriverCluster,
  name: string,
  target: RestoreTarget,
  ctx: DriverOperationContext = runSteps,
): Promise<DriverCluster> {
  const cluster = testCluster(name);
  await driver.restore(cluster, source, target, ctx);
  await driver.apply(cluster, runSteps);
  return cluster;
}

/**
 * A moment after every commit so far and before any later one, in the milliseconds an API time has: the server's
 * clock once it is past the millisecond of the last commit.
 */
export async function momentAfterLastCommit(client: Client): Promise<string> {
  await client.query('SELECT pg_sleep(0.002)');
  return (await client.query('SELECT now() AS at')).rows[0].at.toISOString();
}
