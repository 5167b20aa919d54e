import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './postgres';

/**
 * The Orochi plugin's dev backend (plugins/orochi-backend/dev: mock auth, the example org) as a real process on
 * SQLite files in `directory`, so it can be killed and started again on the same state. For crash tests and
 * benchmarks.
 */
export interface DevBackend {
  /** `http://localhost:<port>/api/orochi` */
  baseUrl: string;
  /** Calls the API; answers the status and the parsed body. */
  api(path: string, init?: RequestInit): Promise<{ status: number; body: any }>;
  start(): Promise<void>;
  /** Stops the process with a signal (SIGKILL for a crash) and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function createDevBackend(options: {
  directory: string;
  /** The `orochi` config section (see localDriverConfig). */
  orochi: object;
  log?: boolean;
}): Promise<DevBackend> {
  const port = await freePort();
  const baseUrl = `http://localhost:${port}/api/orochi`;
  const configFile = join(options.directory, 'app-config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      backend: {
        baseUrl: `http://localhost:${port}`,
        listen: { port, host: '127.0.0.1' },
        database: { client: 'better-sqlite3', connection: { directory: join(options.directory, 'sqlite') } },
      },
      orochi: options.orochi,
    }),
  );
  let child: ChildProcess | undefined;

  const api = async (path: string, init?: RequestInit) => {
    const res = await fetch(`${baseUrl}${path}`, { ...init, headers: { 'Content-Type': 'application/json' } });
    return { status: res.status, body: await res.json() };
  };

  return {
    baseUrl,
    api,
    async start() {
      child = spawn(
        process.execPath,
        ['--require', require.resolve('@backstage/cli-node/config/nodeTransform.cjs'), 'dev/index.ts', '--config', configFile],
        {
          cwd: resolvePackagePath('@orochi/backstage-plugin-orochi-backend'),
          stdio: options.log || process.env.OROCHI_TEST_BACKEND_LOG ? 'inherit' : 'ignore',
          env: { ...process.env, NODE_ENV: 'development' },
        },
      );
      const started = child;
      const deadline = Date.now() + 120_000;
      for (;;) {
        if (started.exitCode !== null) throw new Error(`The dev backend exited with ${started.exitCode}`);
        if (await api('/health').then(r => r.status === 200, () => false)) return;
        if (Date.now() > deadline) throw new Error('The dev backend did not start within 120 s');
        await new Promise(r => setTimeout(r, 100));
      }
    },
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      const running = child;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise(r => running.once('exit', r));
      running.kill(signal);
      await exited;
    },
  };
}

/** Polls until `probe` answers something other than undefined; fails after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 50));
  }
}
