// Helpers shared by the benchmarks.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const repoRoot = new URL('..', import.meta.url).pathname;

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export const ms = value => `${value.toFixed(0)} ms`;

export function summary(values) {
  return `median ${ms(median(values))} (min ${ms(Math.min(...values))}, max ${ms(Math.max(...values))}, n=${values.length})`;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A scratch directory the `postgres` user can reach when the benchmark runs as root. */
export function scratchDirectory(prefix) {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(directory, 0o755);
  return directory;
}

/** Starts the Orochi plugin's dev backend (mock auth, example org) on its own port, data and SQLite files. */
export async function startOrochiBackend(directory, options = {}) {
  const port = await freePort();
  const configFile = join(directory, 'app-config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      backend: {
        baseUrl: `http://localhost:${port}`,
        listen: { port, host: '127.0.0.1' },
        database: { client: 'better-sqlite3', connection: { directory: join(directory, 'sqlite') } },
      },
      orochi: {
        local: { dataDirectory: join(directory, 'driver'), portRange: { from: 57000, to: 57999 } },
        // Benchmarks that seed records without servers keep the reconciler from marking them all failed.
        ...(options.reconcile === false
          ? { reconciler: { schedule: { frequency: { hours: 24 }, timeout: { minutes: 1 }, initialDelay: { hours: 24 } } } }
          : {}),
      },
    }),
  );
  const child = spawn(
    process.execPath,
    ['--require', require.resolve('@backstage/cli-node/config/nodeTransform.cjs'), 'dev/index.ts', '--config', configFile],
    { cwd: join(repoRoot, 'plugins/orochi-backend'), stdio: 'ignore', env: { ...process.env, NODE_ENV: 'development' } },
  );
  const baseUrl = `http://localhost:${port}/api/orochi`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the backend exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${baseUrl}/health`)).ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error('the backend did not start');
    await new Promise(r => setTimeout(r, 200));
  }
  const api = async (path, init = {}) => {
    const res = await fetch(`${baseUrl}${path}`, { ...init, headers: { 'Content-Type': 'application/json' } });
    const body = await res.json();
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  };
  return { api, baseUrl: async () => baseUrl, stop: () => child.kill('SIGTERM') };
}
