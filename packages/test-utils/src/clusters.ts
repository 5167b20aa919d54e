import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import type { Server } from 'node:http';

/** Whether a process runs; an exited but unreaped process (a zombie) does not. */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** A data directory for the local driver that the `postgres` user can reach when tests run as root. */
export function localDriverDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'orochi-local-'));
  chmodSync(directory, 0o755);
  return directory;
}

/**
 * Config for the local driver in tests: its own directory and its own port range (test files run in parallel;
 * ranges that do not overlap keep their servers apart).
 */
export function localDriverConfig(dataDirectory: string, ports: { from: number; to: number }) {
  return {
    orochi: {
      local: { dataDirectory, portRange: ports },
      operations: { leaseSeconds: 5, readyTimeoutSeconds: 60 },
    },
  };
}

/** Polls an operation (as the mock user, or with the given Authorization header) until it has ended; returns it. */
export async function waitForOperation(server: Server, operationId: string, authorization?: string) {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const get = request(server).get(`/api/orochi/operations/${operationId}`);
    const res = await (authorization ? get.set('Authorization', authorization) : get);
    if (res.status !== 200) throw new Error(`GET operation: ${res.status} ${JSON.stringify(res.body)}`);
    if (res.body.state === 'succeeded' || res.body.state === 'failed') return res.body;
    if (Date.now() > deadline) throw new Error(`Operation ${operationId} still ${res.body.state}: ${JSON.stringify(res.body.steps)}`);
    await new Promise(r => setTimeout(r, 250));
  }
}

/** Connects with the revealed credentials, as a developer would. */
export async function connect(details: { uri: string }): Promise<Client> {
  const client = new Client({ connectionString: details.uri, connectionTimeoutMillis: 5000 });
  await client.connect();
  return client;
}

/** Process ids of the servers the local driver runs for a cluster, from their postmaster.pid files. */
export function serverPids(dataDirectory: string, clusterId: string): number[] {
  const instances = join(dataDirectory, 'clusters', clusterId, 'instances');
  if (!existsSync(instances)) return [];
  return readdirSync(instances)
    .map(index => join(instances, index, 'pgdata', 'postmaster.pid'))
    .filter(existsSync)
    .map(file => Number(readFileSync(file, 'utf8').split('\n')[0]));
}

/** Stops every server under a test's data directory, whatever state the test left them in. */
export function stopServers(dataDirectory: string) {
  const clusters = join(dataDirectory, 'clusters');
  if (!existsSync(clusters)) return;
  for (const id of readdirSync(clusters)) {
    for (const pid of serverPids(dataDirectory, id)) {
      try {
        process.kill(pid, 'SIGQUIT');
      } catch {
        // already gone
      }
    }
  }
}

/** Stops every server under a test's data directory and waits until they have exited, so their files can go. */
export async function stopServersAndWait(dataDirectory: string, timeoutMs = 30_000) {
  const clusters = join(dataDirectory, 'clusters');
  const pids = existsSync(clusters) ? readdirSync(clusters).flatMap(id => serverPids(dataDirectory, id)) : [];
  stopServers(dataDirectory);
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isRunning) && Date.now() < deadline) await new Promise(r => setTimeout(r, 100));
}
