// Branch "now" to first query for parents of 10 MB, 100 MB and 1 GB, next to a bare pg_basebackup of the same
// parent in the same run; and a point-in-time restore to first query of a 100 MB cluster with five minutes' worth of
// WAL after its backup (50 single-row transactions a second, written as fast as the server takes them).
import { createDevBackend, DevBackend, localDriverConfig } from '@orochi/test-utils';
import { execFile } from 'node:child_process';
import { chownSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { firstQuery, median, ms, postgresBin, scratchDirectory, serverIdentity, settle, summary } from './lib';

const exec = promisify(execFile);
const RUNS = Number(process.env.OROCHI_BENCH_RUNS ?? 3);
const SIZES_MB = (process.env.OROCHI_BENCH_BRANCH_MB ?? '10,100,1000').split(',').map(Number);
const WAL_TRANSACTIONS = 5 * 60 * 50;

async function createCluster(backend: DevBackend, name: string) {
  const created = await backend.api('/clusters', { method: 'POST', body: JSON.stringify({ name, owner: 'team-payments' }) });
  await settle(backend, created.body.operation.id);
  const id: string = created.body.cluster.id;
  const client = new Client({ connectionString: (await backend.api(`/clusters/${id}/credentials`)).body.uri });
  await client.connect();
  return { id, client };
}

/** Rows of about 1 kB until the table holds `megabytes`. */
async function fill(client: Client, megabytes: number) {
  await client.query('CREATE TABLE filler (id bigint PRIMARY KEY, pad text NOT NULL)');
  await client.query(
    `INSERT INTO filler SELECT g, repeat(md5(g::text), 30) FROM generate_series(1, $1) g`,
    [megabytes * 1000],
  );
  // A parent at rest, as one usually is when branched: not in the middle of autovacuum's first pass over the rows.
  await client.query('VACUUM (ANALYZE) filler');
}

/** POST a copy (branch or restore), wait for it, connect, query: what a developer waits for. */
async function timedCopy(backend: DevBackend, path: string, body: object): Promise<number> {
  const started = performance.now();
  const change = await backend.api(path, { method: 'POST', body: JSON.stringify(body) });
  if (change.status !== 202) throw new Error(`${path}: ${change.status} ${JSON.stringify(change.body)}`);
  await settle(backend, change.body.operation.id);
  const credentials = await backend.api(`/clusters/${change.body.cluster.id}/credentials`);
  await firstQuery({ connectionString: credentials.body.uri });
  const took = performance.now() - started;
  const removal = await backend.api(`/clusters/${change.body.cluster.id}`, { method: 'DELETE' });
  await settle(backend, removal.body.operation.id);
  return took;
}

/** A bare pg_basebackup of the parent's primary over its socket: the copy alone, no server start. */
async function bareBaseBackup(driverDirectory: string, clusterId: string, scratch: string): Promise<number> {
  const { ports } = JSON.parse(readFileSync(join(driverDirectory, 'clusters', clusterId, 'meta.json'), 'utf8'));
  const socket = join(driverDirectory, 'sockets', `${clusterId.replace(/-/g, '').slice(0, 12)}-0`);
  const identity = serverIdentity();
  mkdirSync(scratch);
  if (identity.uid !== undefined) chownSync(scratch, identity.uid, identity.gid!);
  const started = performance.now();
  await exec(
    join(postgresBin(), 'pg_basebackup'),
    ['-D', join(scratch, 'copy'), '-h', socket, '-p', String(ports[0]), '-U', 'postgres', '-X', 'stream', '--checkpoint=fast'],
    { ...identity, cwd: '/' },
  );
  const took = performance.now() - started;
  rmSync(scratch, { recursive: true, force: true });
  return took;
}

export async function branches() {
  const directory = scratchDirectory('orochi-bench-branches-');
  const driverDirectory = join(directory, 'driver');
  const backend = await createDevBackend({
    directory,
    orochi: localDriverConfig(driverDirectory, { from: 57000, to: 57999 }).orochi,
  });
  await backend.start();
  try {
    for (const megabytes of SIZES_MB) {
      const parent = await createCluster(backend, `parent-${megabytes}mb`);
      await fill(parent.client, megabytes);
      const branch: number[] = [];
      const bare: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        branch.push(await timedCopy(backend, `/clusters/${parent.id}/branches`, { name: `branch-${megabytes}mb-${i}` }));
        bare.push(await bareBaseBackup(driverDirectory, parent.id, join(directory, `bare-${megabytes}-${i}`)));
      }
      console.log(`${megabytes} MB parent, POST /branches (now) to first query: ${summary(branch)}`);
      console.log(`${megabytes} MB parent, bare pg_basebackup:                  ${summary(bare)}`);
      console.log(`${megabytes} MB ratio branch / bare pg_basebackup (medians): ${(median(branch) / median(bare)).toFixed(2)}`);
      await parent.client.end();
      const removal = await backend.api(`/clusters/${parent.id}`, { method: 'DELETE' });
      await settle(backend, removal.body.operation.id);
    }

    const source = await createCluster(backend, 'pitr-source');
    await fill(source.client, 100);
    const backup = await backend.api(`/clusters/${source.id}/backups`, { method: 'POST' });
    await settle(backend, backup.body.operation.id);
    await source.client.query('CREATE TABLE events (id serial PRIMARY KEY, at timestamptz DEFAULT clock_timestamp())');
    let target = '';
    for (let i = 0; i < WAL_TRANSACTIONS; i++) {
      await source.client.query('INSERT INTO events DEFAULT VALUES');
      if (i === WAL_TRANSACTIONS - 100) target = (await source.client.query('SELECT now() AS at')).rows[0].at.toISOString();
    }
    const restore: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      restore.push(await timedCopy(backend, `/clusters/${source.id}/restore`, { name: `pitr-${i}`, targetTime: target }));
      bare.push(await bareBaseBackup(driverDirectory, source.id, join(directory, `bare-pitr-${i}`)));
    }
    console.log(`100 MB + ${WAL_TRANSACTIONS} transactions of WAL, POST /restore (time) to first query: ${summary(restore)}`);
    console.log(`the same cluster, bare pg_basebackup:                                  ${summary(bare)}`);
    console.log(`ratio restore / bare pg_basebackup (medians): ${(median(restore) / median(bare)).toFixed(2)}`);
    console.log(`(${ms(median(restore))} against the 5 s target)`);
    await source.client.end();
  } finally {
    await backend.kill();
    rmSync(directory, { recursive: true, force: true });
  }
}
