import { readdir, readFile } from 'node:fs/promises';

/** Linux reports CPU time in clock ticks of USER_HZ, which is 100 on every architecture Node supports. */
const TICKS_PER_SECOND = 100;

/** Fields of /proc/<pid>/stat after the parenthesised command name (which may contain spaces). */
export async function statFields(pid: number): Promise<string[] | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

async function proportionalSetSize(pid: number): Promise<number> {
  try {
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
    const match = rollup.match(/^Pss:\s+(\d+) kB/m);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** The postmaster's children: backends, background workers, a standby's startup process and WAL receiver. */
export async function postmasterChildren(postmasterPid: number): Promise<number[]> {
  // Kernels built with CONFIG_PROC_CHILDREN (most distributions') list a thread's children; else every
  // process's parent is read.
  try {
    const listed = await readFile(`/proc/${postmasterPid}/task/${postmasterPid}/children`, 'utf8');
    return listed.split(' ').filter(Boolean).map(Number);
  } catch {
    // scanned below
  }
  const children: number[] = [];
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === postmasterPid) continue;
    const fields = await statFields(pid);
    // After the name: state, ppid, ...
    if (fields && Number(fields[1]) === postmasterPid) children.push(pid);
  }
  return children;
}

/**
 * CPU time and memory of a server: the postmaster and its children (backends, background workers). CPU counts
 * the live processes and, through the postmaster's cutime and cstime, every child it has reaped, so a session
 * that ended still counts. Memory is the proportional set size, so shared buffers are counted once across
 * processes, not once per process.
 */
export async function processUsage(postmasterPid: number): Promise<{ cpuSeconds: number; memoryBytes: number }> {
  const pids = [postmasterPid, ...(await postmasterChildren(postmasterPid))];
  let ticks = 0;
  let memoryBytes = 0;
  for (const pid of pids) {
    const fields = await statFields(pid);
    if (!fields) continue;
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the name; cutime and cstime follow.
    ticks += Number(fields[11]) + Number(fields[12]);
    if (pid === postmasterPid) ticks += Number(fields[13]) + Number(fields[14]);
    memoryBytes += await proportionalSetSize(pid);
  }
  return { cpuSeconds: ticks / TICKS_PER_SECOND, memoryBytes };
}
