// The connection proxy's cost per query: pgbench select-only through the proxy, next to pgbench on a direct TCP
// connection to the same server and through the least relay there can be (bench/reference/relay.c), alternately.
import { PostgresProxy } from '@orochi/orochi-proxy';
import { freePort } from '@orochi/test-utils';
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { chownSync, mkdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { median, postgresBin, scratchDirectory, serverIdentity } from './lib';

const exec = promisify(execFile);
const PGBENCH_SECONDS = Number(process.env.OROCHI_BENCH_PGBENCH_SECONDS ?? 10);

/** pgbench select-only throughput (transactions per second) against a port. */
async function pgbench(port: number): Promise<number> {
  const bin = postgresBin();
  const options = { ...serverIdentity(), cwd: '/' };
  const { stdout } = await exec(
    join(bin, 'pgbench'),
    ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-S', '-c', '4', '-j', '2', '-T', String(PGBENCH_SECONDS), '-n', 'bench'],
    options,
  );
  return Number(/tps = ([\d.]+)/.exec(stdout)![1]);
}

/** bench/reference/relay.c, compiled into `directory` and listening; undefined without a C compiler. */
async function referenceRelay(directory: string, upstreamPort: number): Promise<{ port: number; process: ChildProcess } | undefined> {
  const binary = join(directory, 'relay');
  try {
    await exec('cc', ['-O2', '-o', binary, join(__dirname, 'reference', 'relay.c')]);
  } catch (error) {
    console.log(`reference relay skipped: no C compiler (${(error as Error).message.split('\n')[0]})`);
    return undefined;
  }
  const port = await freePort();
  const child = spawn(binary, [String(port), String(upstreamPort)], { stdio: 'inherit' });
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('the reference relay did not start listening');
    await new Promise(r => setTimeout(r, 50));
  }
  return { port, process: child };
}

const accepts = (port: number) =>
  new Promise<boolean>(resolve => {
    const socket = connect({ port, host: '127.0.0.1' }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

/** The proxy's cost per query: pgbench directly, through a proxy and through the C relay, alternately. */
export async function proxyOverhead() {
  const directory = scratchDirectory('orochi-bench-proxy-');
  const bin = postgresBin();
  const options = { ...serverIdentity(), cwd: '/' };
  const base = join(directory, 'pgbench');
  mkdirSync(base);
  if (options.uid !== undefined) chownSync(base, options.uid, options.gid!);
  const data = join(base, 'data');
  await exec(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-locale', '-E', 'UTF8'], options);
  const port = await freePort();
  await exec(join(bin, 'pg_ctl'), ['-D', data, '-l', join(base, 'log'), '-w', '-o', `-p ${port} -k ${base} -c listen_addresses=127.0.0.1`, 'start'], options);
  const proxy = new PostgresProxy({ resolve: async () => ({ host: '127.0.0.1', port }) });
  let relay: Awaited<ReturnType<typeof referenceRelay>>;
  try {
    await exec(join(bin, 'createdb'), ['-h', base, '-p', String(port), '-U', 'postgres', 'bench'], options);
    await exec(join(bin, 'pgbench'), ['-h', base, '-p', String(port), '-U', 'postgres', '-i', '-s', '10', '-q', 'bench'], options);
    const proxied = await proxy.listen({ port: 0, host: '127.0.0.1' });
    relay = await referenceRelay(directory, port);
    const direct: number[] = [];
    const through: number[] = [];
    const reference: number[] = [];
    for (let i = 0; i < 3; i++) {
      direct.push(await pgbench(port));
      through.push(await pgbench(proxied));
      if (relay) reference.push(await pgbench(relay.port));
    }
    const line = (what: string, tps: number[]) => console.log(`pgbench -S, 4 clients, ${what} median ${median(tps).toFixed(0)} tps (${tps.map(t => t.toFixed(0)).join(', ')})`);
    line('direct TCP:                 ', direct);
    line('through the proxy:          ', through);
    if (relay) line('through the C relay (floor):', reference);
    console.log(`proxy throughput / direct (medians): ${(median(through) / median(direct)).toFixed(3)} (target at least 0.90)`);
    if (relay) console.log(`C relay throughput / direct (medians): ${(median(reference) / median(direct)).toFixed(3)}`);
  } finally {
    relay?.process.kill();
    await proxy.closeAll();
    await exec(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], options).catch(() => undefined);
    rmSync(directory, { recursive: true, force: true });
  }
}
