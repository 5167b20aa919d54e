import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface ServerOptions {
  /** Require SCRAM-SHA-256 for TCP connections; `postgres` gets this password. Trust otherwise. */
  scramPassword?: string;
  /** ssl=on with a fresh self-signed certificate. */
  ssl?: boolean;
}

/** A PostgreSQL server on 127.0.0.1, superuser `postgres`, database `postgres`. */
export interface TestServer {
  port: number;
  /** The server's unix socket. */
  socketPath: string;
  stop(): Promise<void>;
}

export function binDirectory(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root).filter(v => existsSync(join(root, v, 'bin', 'initdb')))
    : [];
  if (!versions.length) throw new Error('These tests need PostgreSQL server binaries: apt-get install postgresql');
  return join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

/** PostgreSQL refuses to run as root; tests running as root run it as the `postgres` user. */
function serverIdentity(): { uid: number; gid: number } | undefined {
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

/** Starts a server in a temporary directory; the directory is removed again if starting fails. */
export async function startServer(options: ServerOptions = {}): Promise<TestServer> {
  const bin = binDirectory();
  const identity = serverIdentity();
  const directory = mkdtempSync(join(tmpdir(), 'orochi-proxy-pg-'));
  const data = join(directory, 'data');
  const asServer = { ...identity, cwd: '/' };
  const own = (file: string) => identity && chownSync(file, identity.uid, identity.gid);
  const stop = async () => {
    if (existsSync(join(data, 'postmaster.pid'))) {
      await exec(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], asServer).catch(() => undefined);
    }
    rmSync(directory, { recursive: true, force: true });
  };
  try {
    own(directory);
    const initdb = ['-D', data, '-U', 'postgres', '--no-locale', '-E', 'UTF8', '--no-sync'];
    if (options.scramPassword) {
      const passwordFile = join(directory, 'password');
      writeFileSync(passwordFile, `${options.scramPassword}\n`, { mode: 0o600 });
      own(passwordFile);
      initdb.push(`--pwfile=${passwordFile}`, '--auth-local=trust', '--auth-host=scram-sha-256');
    } else {
      initdb.push('--auth=trust');
    }
    await exec(join(bin, 'initdb'), initdb, asServer);
    const settings = [
      '-c listen_addresses=127.0.0.1',
      `-k ${directory}`,
      '-c fsync=off',
      '-c max_connections=200',
      '-c password_encryption=scram-sha-256',
    ];
    if (options.ssl) settings.push(...(await selfSignedCertificate(directory, own)));
    const port = await freePort();
    await exec(
      join(bin, 'pg_ctl'),
      ['-D', data, '-l', join(directory, 'server.log'), '-w', '-o', `-p ${port} ${settings.join(' ')}`, 'start'],
      asServer,
    );
    return { port, socketPath: join(directory, `.s.PGSQL.${port}`), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function selfSignedCertificate(directory: string, own: (file: string) => void): Promise<string[]> {
  const key = join(directory, 'server.key');
  const certificate = join(directory, 'server.crt');
  await exec('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1',
    '-keyout', key, '-out', certificate,
  ]);
  // PostgreSQL refuses a key file that others can read.
  chmodSync(key, 0o600);
  own(key);
  own(certificate);
  return ['-c ssl=on', `-c ssl_cert_file=${certificate}`, `-c ssl_key_file=${key}`];
}
