import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { binDirectory } from './postgres';

export interface PsqlResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs libpq's psql against `conninfo`, feeding `input` on stdin. Asynchronous on purpose: the
 * proxy under test runs in this process, so a synchronous child would deadlock it.
 */
export function psql(conninfo: string, command: string, input?: Buffer): Promise<PsqlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(binDirectory(), 'psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', conninfo, '-c', command], {
      env: { ...process.env, PGCONNECT_TIMEOUT: '20' },
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.once('error', reject);
    child.once('close', code => resolve({ code, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString() }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}
