import { readFile, readlink, realpath } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { isAlive } from './processes';

/** The first lines of a data directory's postmaster.pid, as PostgreSQL writes them (see pidfile.h). */
export interface PostmasterPid {
  pid: number;
  dataDirectory: string;
  /** Seconds since the epoch. */
  startTime: number;
  port: number;
  /** `starting`, `stopping`, `ready` or `standby`, once the postmaster has written it. */
  status?: string;
}

export async function readPostmasterPid(pgdata: string): Promise<PostmasterPid | undefined> {
  let content: string;
  try {
    content = await readFile(join(pgdata, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const lines = content.split('\n');
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return {
    pid,
    dataDirectory: lines[1] ?? '',
    startTime: Number(lines[2]),
    port: Number(lines[3]),
    status: lines[7]?.trim() || undefined,
  };
}

/**
 * Whether `pid` is a PostgreSQL server process running in `pgdata`. After a crash or a host restart
 * postmaster.pid can name a PID that now belongs to any process, so a live PID proves nothing by itself: the
 * process must be `postgres` and work in this data directory (PostgreSQL changes into its data directory at
 * start). The working directory is read where the backend may (its own processes, or any as root); otherwise
 * the `-D` argument the server was started with is compared.
 */
export async function isPostmasterOf(pid: number, pgdata: string): Promise<boolean> {
  if (!(await isAlive(pid))) return false;
  const argv = await readCommandLine(pid);
  if (!argv || !['postgres', 'postmaster'].includes(basename(argv[0] ?? ''))) return false;
  const expected = await realpath(pgdata).catch(() => pgdata);
  const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => undefined);
  if (cwd !== undefined) return cwd === expected;
  const option = argv.indexOf('-D');
  const dataDirectory = option >= 0 ? argv[option + 1] : undefined;
  return !!dataDirectory && (await realpath(dataDirectory).catch(() => dataDirectory)) === expected;
}

async function readCommandLine(pid: number): Promise<string[] | undefined> {
  try {
    const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    if (argv[argv.length - 1] === '') argv.pop();
    return argv;
  } catch {
    return undefined;
  }
}
