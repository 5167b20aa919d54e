// Create-to-first-query of the local driver, next to the physical limit of this machine measured in the same
// run: a bare initdb and pg_ctl start of a fresh data directory, then the same first query.
import { createDevBackend, DevBackend, freePort, localDriverConfig } from '@orochi/test-utils';
import { execFile } from 'node:child_process';
import { chownSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { firstQuery, median, ms, postgresBin, scratchDirectory, serverIdentity, settle, summary } from './lib';

const exec = promisify(execFile);
const RUNS = Number(process.env.OROCHI_BENCH_RUNS ?? 7);

async function orochiCreate(backend: DevBackend, name: string): Promise<number> {
  const started = performance.now();
  const created = await backend.api('/clusters', { method: 'POST', body: JSON.stringify({ name, owner: 'team-payments' }) });
  await settle(backend, created.body.operation.id);
  const credentials = await backend.api(`/clusters/${created.body.cluster.id}/credentials`);
  await firstQuery({ connectionString: credentials.body.uri });
  const took = performance.now() - started;
  const removal = await backend.api(`/clusters/${created.body.cluster.id}`, { method: 'DELETE' });
  await settle(backend, removal.body.operation.id);
  return took;
}

async function bareInitdbAndStart(directory: string, index: number): Promise<number> {
  const bin = postgresBin();
  const identity = serverIdentity();
  const base = join(directory, `bare-${index}`);
  const data = join(base, 'data');
  const options = { ...identity, cwd: '/' };
  mkdirSync(base);
  if (identity.uid !== undefined) chownSync(base, identity.uid, identity.gid!);
  const port = await freePort();
  const started = performance.now();
  await exec(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-locale', '-E', 'UTF8'], options);
  await exec(join(bin, 'pg_ctl'), ['-D', data, '-l', join(base, 'log'), '-w', '-o', `-p ${port} -k ${base} -c listen_addresses=127.0.0.1`, 'start'], options);
  await firstQuery({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  const took = performance.now() - started;
  await exec(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], options);
  rmSync(base, { recursive: true, force: true });
  return took;
}

export async function localDriverCreate() {
  const directory = scratchDirectory('orochi-bench-');
  const backend = await createDevBackend({
    directory,
    orochi: localDriverConfig(join(directory, 'driver'), { from: 57000, to: 57999 }).orochi,
  });
  await backend.start();
  try {
    const warmup = await orochiCreate(backend, 'bench-warmup');
    const orochi: number[] = [];
    for (let i = 0; i < RUNS; i++) orochi.push(await orochiCreate(backend, `bench-${i}`));
    const bare: number[] = [];
    for (let i = 0; i < RUNS; i++) bare.push(await bareInitdbAndStart(directory, i));

    console.log(`first create (builds the template): ${ms(warmup)}`);
    console.log(`Orochi local driver, POST /clusters to first query: ${summary(orochi)}`);
    console.log(`bare initdb + pg_ctl start to first query:           ${summary(bare)}`);
    console.log(`ratio Orochi / bare (medians): ${(median(orochi) / median(bare)).toFixed(2)}`);
  } finally {
    await backend.kill();
    rmSync(directory, { recursive: true, force: true });
  }
}
