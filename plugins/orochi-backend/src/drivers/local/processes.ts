import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { statFields } from './processUsage';

/** The OS identity PostgreSQL servers run as; undefined means "as the backend itself". */
export interface ServerIdentity {
  uid: number;
  gid: number;
  name: string;
}

/**
 * PostgreSQL refuses to run as root, so a backend running as root runs its servers as `serverUser`. A backend
 * running as anyone else runs them as itself.
 */
export async function resolveServerIdentity(
  serverUser: string,
): Promise<ServerIdentity | undefined> {
  if (process.getuid?.() !== 0) {
    return undefined;
  }
  const passwd = await readFile('/etc/passwd', 'utf8');
  const entry = passwd
    .split('\n')
    .map(line => line.split(':'))
    .find(fields => fields[0] === serverUser);
  if (!entry) {
    throw new Error(
      `The backend runs as root and PostgreSQL refuses to, but the server user "${serverUser}" ` +
        '(orochi.local.serverUser) does not exist',
    );
  }
  return { name: serverUser, uid: Number(entry[2]), gid: Number(entry[3]) };
}

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly output: string,
  ) {
    super(`${command} failed (exit ${exitCode}): ${output.trim().split('\n').slice(-5).join(' | ')}`);
    this.name = 'CommandError';
  }
}

/**
 * Runs a command as the server identity, in its own process group so servers it starts outlive the backend
 * and are not hit by signals sent to the backend's terminal.
 */
export function run(
  file: string,
  args: string[],
  options: { identity?: ServerIdentity; cwd?: string; env?: Record<string, string> } = {},
): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd ?? '/',
      uid: options.identity?.uid,
      gid: options.identity?.gid,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        LANG: 'C.UTF-8',
        ...(options.identity ? { HOME: '/tmp', USER: options.identity.name } : {}),
        ...options.env,
      },
    });
    let output = '';
    child.stdout.on('data', chunk => (output += chunk));
    child.stderr.on('data', chunk => (output += chunk));
    child.once('error', reject);
    child.once('close', code => {
      if (code === 0) resolvePromise(output);
      else reject(new CommandError([file.split('/').pop(), ...args.slice(0, 2)].join(' '), code, output));
    });
  });
}

/**
 * Whether a process runs. A process that exited but was not reaped (a zombie, which happens to servers whose
 * parent is an init that does not reap) does not count.
 */
export async function isAlive(pid: number): Promise<boolean> {
  // The state is the first field after the command name.
  const fields = await statFields(pid);
  return fields !== undefined && fields[0] !== 'Z';
}
