// Wake on connect, next to its reference in the same run: suspended cluster -> first query through its unchanged
// address (the proxy holds the client while a wake operation starts the server), over 20 clusters suspended by
// the idle job, next to a plain `pg_ctl start` of a stopped data directory plus the same first query.
import { createDevBackend, freePort, localDriverConfig, stopServers } from '@orochi/test-utils';
import { execFile } from 'node:child_process';
import { chownSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { firstQuery, median, ms, postgresBin, scratchDirectory, serverIdentity, settle, summary } from './lib';

const exec = promisify(execFile);
const WAKES = Number(process.env.OROCHI_BENCH_WAKES ?? 20);

const p99 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.ceil(values.length * 0.99) - 1];

/** Clusters with a one-minute idle time, left idle until the idle job has suspended every one. */
async function suspendedClusters(backend: Awaited<ReturnType<typeof createDevBackend>>) {
  const clusters: Array<{ id: string; uri: string }> = [];
  for (let i = 0; i < WAKES; i++) {
    const created = await backend.api('/clusters', {
      method: 'POST',
      body: JSON.stringify({ name: `sleepy-${i}`, owner: 'team-payments', scaleToZero: { enabled: true, idleMinutes: 1 } }),
    });
    await settle(backend, created.body.operation.id);
    const credentials = await backend.api(`/clusters/${created.body.cluster.id}/credentials`);
    clusters.push({ id: created.body.cluster.id, uri: credentials.body.uri });
  }
  for (;;) {
    const states = await Promise.all(clusters.map(async c => (await backend.api(`/clusters/${c.id}`)).body.status));
    if (states.every(s => s === 'suspended')) return clusters;
    await new Promise(resolve => setTimeout(resolve, 1000));
  }
}

/** A stopped, initialised data directory started with pg_ctl, then the same first query: what a wake cannot beat. */
async function bareStarts(directory: string): Promise<number[]> {
  const bin = postgresBin();
  const options = { ...serverIdentity(), cwd: '/' };
  const base = join(directory, 'bare');
  mkdirSync(base);
  if (options.uid !== undefined) chownSync(base, options.uid, options.gid!);
  const data = join(base, 'data');
  await exec(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-locale', '-E', 'UTF8'], options);
  const port = await freePort();
  const took: number[] = [];
  for (let i = 0; i < WAKES; i++) {
    const started = performance.now();
    await exec(join(bin, 'pg_ctl'), ['-D', data, '-l', join(base, 'log'), '-w', '-o', `-p ${port} -k ${base} -c listen_addresses=127.0.0.1`, 'start'], options);
    await firstQuery({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
    took.push(performance.now() - started);
    await exec(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop'], options);
  }
  return took;
}

export async function wake() {
  const directory = scratchDirectory('orochi-bench-wake-');
  const backend = await createDevBackend({
    directory,
    orochi: {
      ...localDriverConfig(join(directory, 'driver'), { from: 57000, to: 57999 }).orochi,
      // The sampler and the idle job a little more often than by default, so the clusters are suspended soon.
      metrics: { schedule: { frequency: { seconds: 5 }, timeout: { minutes: 1 } } },
      scaleToZero: { schedule: { frequency: { seconds: 10 }, timeout: { minutes: 1 } } },
    },
  });
  await backend.start();
  try {
    const clusters = await suspendedClusters(backend);
    const woken: number[] = [];
    for (const cluster of clusters) {
      const started = performance.now();
      await firstQuery({ connectionString: cluster.uri, connectionTimeoutMillis: 60_000 });
      woken.push(performance.now() - started);
    }
    const bare = await bareStarts(directory);
    console.log(`suspended -> first query through the proxy: ${summary(woken)}, p99 ${ms(p99(woken))}`);
    console.log(`plain pg_ctl start -> first query:          ${summary(bare)}, p99 ${ms(p99(bare))}`);
    console.log(`ratio wake / plain start (medians): ${(median(woken) / median(bare)).toFixed(2)} (targets: median 300 ms, p99 1 s)`);
  } finally {
    await backend.kill();
    // The local driver's servers outlive its backend (the next start adopts them): stop them.
    stopServers(join(directory, 'driver'));
  }
  rmSync(directory, { recursive: true, force: true });
}
