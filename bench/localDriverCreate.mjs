// Create-to-first-query of the local driver, next to the physical limit of this machine: a bare initdb and
// pg_ctl start of a fresh data directory, then the same first query. Both measured in this run.
import { execFile } from 'node:child_process';
import { chownSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort, median, ms, scratchDirectory, startOrochiBackend, summary } from './lib.mjs';

const exec = promisify(execFile);
const RUNS = Number(process.env.OROCHI_BENCH_RUNS ?? 7);

async function firstQuery(config) {
  const client = new pg.Client(config);
  await client.connect();
  await client.query('SELECT 1');
  await client.end();
}

async function waitForOperation(api, id) {
  for (;;) {
    const operation = await api(`/operations/${id}`);
    if (operation.state === 'succeeded') return;
    if (operation.state === 'failed') throw new Error(`operation failed: ${operation.error}`);
    await new Promise(r => setTimeout(r, 10));
  }
}

async function orochiCreate(api, name) {
  const started = performance.now();
  const { cluster, operation } = await api('/clusters', {
    method: 'POST',
    body: JSON.stringify({ name, owner: 'team-payments' }),
  });
  await waitForOperation(api, operation.id);
  const credentials = await api(`/clusters/${cluster.id}/credentials`);
  await firstQuery({ connectionString: credentials.uri });
  const took = performance.now() - started;
  const removal = await api(`/clusters/${cluster.id}`, { method: 'DELETE' });
  await waitForOperation(api, removal.operation.id);
  return took;
}

function postgresBin() {
  const root = '/usr/lib/postgresql';
  const version = readdirSync(root).filter(v => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => b - a)[0];
  return join(root, version, 'bin');
}

function serverIdentity() {
  if (process.getuid() !== 0) return {};
  const entry = readFileSync('/etc/passwd', 'utf8').split('\n').map(l => l.split(':')).find(f => f[0] === 'postgres');
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

async function bareInitdbAndStart(directory, index) {
  const bin = postgresBin();
  const identity = serverIdentity();
  const base = join(directory, `bare-${index}`);
  const data = join(base, 'data');
  const options = { ...identity, cwd: '/' };
  await exec('mkdir', ['-p', base]);
  if (identity.uid !== undefined) chownSync(base, identity.uid, identity.gid);
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
  const backend = await startOrochiBackend(directory);
  try {
    const warmup = await orochiCreate(backend.api, 'bench-warmup');
    const orochi = [];
    for (let i = 0; i < RUNS; i++) orochi.push(await orochiCreate(backend.api, `bench-${i}`));
    const bare = [];
    for (let i = 0; i < RUNS; i++) bare.push(await bareInitdbAndStart(directory, i));

    console.log(`first create (builds the template): ${ms(warmup)}`);
    console.log(`Orochi local driver, POST /clusters to first query: ${summary(orochi)}`);
    console.log(`bare initdb + pg_ctl start to first query:           ${summary(bare)}`);
    console.log(`ratio Orochi / bare (medians): ${(median(orochi) / median(bare)).toFixed(2)}`);
  } finally {
    backend.stop();
    rmSync(directory, { recursive: true, force: true });
  }
}
