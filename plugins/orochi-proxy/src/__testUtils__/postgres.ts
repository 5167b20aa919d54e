import { binDirectory, freePort, serverIdentity } from '@orochi/test-utils';
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { selfSignedCertificate } from '@orochi/test-utils';

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

/** Starts a server in a temporary directory; the directory is removed again if starting fails. */
export { binDirectory, freePort };

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
    if (options.ssl) settings.push(...(await serverCertificate(directory, own)));
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

async function serverCertificate(directory: string, own: (file: string) => void): Promise<string[]> {
  const { key, certificate } = await selfSignedCertificate(directory, ['localhost']);
  own(key);
  own(certificate);
  return ['-c ssl=on', `-c ssl_cert_file=${certificate}`, `-c ssl_key_file=${key}`];
}
