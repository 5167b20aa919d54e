import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { freePort, stopServersAndWait } from '@orochi/test-utils';
import { join } from 'node:path';

const repoRoot = resolvePackagePath('e2e-tests', '../..');

/** A portal started with the README's start command on free ports and a fresh data directory. */
export interface Portal {
  appUrl: string;
  backendUrl: string;
  dataDir: string;
  logFile: string;
  stop(): Promise<void>;
}

async function waitFor(
  url: string,
  child: ChildProcess,
  logFile: string,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(
        `the portal exited with code ${child.exitCode}; see ${logFile}`,
      );
    }
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise(r => setTimeout(r, 1000));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms; see ${logFile}`);
}

/**
 * Runs `./orochi start` with the repository's app-config.yaml plus an overlay that moves the ports (and adds what a
 * test asks for under `orochi`, a billing provider say), so the portal under test is the embedded default a user
 * gets, on a new data directory.
 */
export async function startPortal(
  options: { prepare?(dataDir: string): Promise<void>; orochi?: Record<string, unknown> } = {},
): Promise<Portal> {
  const workDir = mkdtempSync(join(tmpdir(), 'orochi-e2e-'));
  // The local driver's servers run as another user when tests run as root; they must reach the data directory.
  chmodSync(workDir, 0o755);
  const dataDir = join(workDir, 'data');
  // A benchmark may start the portal on prepared state (cluster records, say).
  await options.prepare?.(dataDir);
  const logFile = join(workDir, 'portal.log');
  const appPort = await freePort();
  const backendPort = await freePort();
  const appUrl = `http://localhost:${appPort}`;
  const backendUrl = `http://localhost:${backendPort}`;
  const overlay = join(workDir, 'app-config.e2e.yaml');
  writeFileSync(
    overlay,
    JSON.stringify({
      app: { baseUrl: appUrl },
      backend: {
        baseUrl: backendUrl,
        listen: { port: backendPort },
        cors: { origin: appUrl },
      },
      // What a test adds to Orochi's configuration (a billing provider, say).
      ...(options.orochi ? { orochi: options.orochi } : {}),
    }),
  );

  // Jest runs with NODE_ENV=test, which the app's build does not know; the portal runs as `./orochi start` would.
  const { NODE_ENV: _testEnv, ...env } = process.env;
  const log = createWriteStream(logFile);
  const child = spawn(
    join(repoRoot, 'orochi'),
    [
      'start',
      '--config',
      join(repoRoot, 'app-config.yaml'),
      '--config',
      overlay,
    ],
    {
      cwd: repoRoot,
      env: { ...env, OROCHI_DATA_DIR: dataDir, BROWSER: 'none' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);

  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      const exited = new Promise(r => child.once('exit', r));
      process.kill(-child.pid, 'SIGTERM');
      // The grace period's timer is cleared as soon as the portal exits: a pending timer would keep the Jest
      // worker alive after its tests ("a worker process has failed to exit gracefully").
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise(r => (grace = setTimeout(r, 15_000)))]);
      clearTimeout(grace);
      if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    }
    // Cluster servers outlive the portal by design; the test's clusters and their files go with the test.
    await stopServersAndWait(join(dataDir, 'clusters'));
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    await waitFor(`${backendUrl}/api/orochi/health`, child, logFile, 240_000);
    await waitFor(appUrl, child, logFile, 240_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { appUrl, backendUrl, dataDir, logFile, stop };
}
