import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** A PostgreSQL server the test setup started on a free port; trust authentication, fsync off. */
export interface TestPostgres {
  connectionString: string;
  port: number;
  stop(): Promise<void>;
}

/** The TestDatabases id whose connection string points at the server {@link startTestPostgres} starts. */
export const TEST_POSTGRES_ID = 'POSTGRES_15';
export const TEST_POSTGRES_ENV = 'BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING';

/** The newest PostgreSQL server binaries installed on this host. */
export function binDirectory(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root).filter(v => existsSync(join(root, v, 'bin', 'initdb')))
    : [];
  if (!versions.length) {
    throw new Error('Integration tests need PostgreSQL server binaries: apt-get install postgresql');
  }
  return join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

/** PostgreSQL refuses to run as root; tests running as root run it as the `postgres` user. */
export function serverIdentity(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map(line => line.split(':'))
    .find(fields => fields[0] === 'postgres');
  if (!entry) throw new Error('Running as root needs a "postgres" user to run PostgreSQL as');
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const bin = binDirectory();
  const identity = serverIdentity();
  const directory = mkdtempSync(join(tmpdir(), 'orochi-test-pg-'));
  if (identity) chownSync(directory, identity.uid, identity.gid);
  const data = join(directory, 'data');
  const options = { ...identity, cwd: '/' };
  await exec(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-locale', '-E', 'UTF8', '--no-sync'], options);
  const port = await freePort();
  await exec(
    join(bin, 'pg_ctl'),
    ['-D', data, '-l', join(directory, 'server.log'), '-w', '-o', `-p ${port} -k ${directory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`, 'start'],
    options,
  );
  return {
    port,
    connectionString: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await exec(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], options).catch(() => undefined);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
