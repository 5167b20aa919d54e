// Figures and scratch space shared by the benchmarks.
import { DevBackend } from '@orochi/test-utils';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { Client, ClientConfig } from 'pg';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export const ms = (value: number) => `${value.toFixed(0)} ms`;

export function summary(values: number[]): string {
  return `median ${ms(median(values))} (min ${ms(Math.min(...values))}, max ${ms(Math.max(...values))}, n=${values.length})`;
}

/** A scratch directory the `postgres` user can reach when the benchmark runs as root. */
export function scratchDirectory(prefix: string): string {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(directory, 0o755);
  return directory;
}

export async function firstQuery(config: ClientConfig) {
  const client = new Client(config);
  await client.connect();
  await client.query('SELECT 1');
  await client.end();
}

export async function settle(backend: DevBackend, operationId: string) {
  for (;;) {
    const { body } = await backend.api(`/operations/${operationId}`);
    if (body.state === 'succeeded') return;
    if (body.state === 'failed') throw new Error(`operation failed: ${body.error}`);
    await new Promise(r => setTimeout(r, 10));
  }
}


export function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const [version] = readdirSync(root).filter(v => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return join(root, version, 'bin');
}

/** PostgreSQL refuses root; a benchmark running as root runs it as `postgres`, as the driver does. */
export function serverIdentity(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const entry = readFileSync('/etc/passwd', 'utf8').split('\n').map(l => l.split(':')).find(f => f[0] === 'postgres')!;
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

