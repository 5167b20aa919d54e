import { createHash } from 'node:crypto';
import { join } from 'node:path';

/** The period CPU quotas are counted in: the kernel's default, 100 ms. */
export const CPU_PERIOD_US = 100_000;
/** The kernel refuses quotas below 1 ms a period. */
const MIN_QUOTA_US = 1_000;

/** Where the cpu controller is: cgroup v2's unified hierarchy, or a v1 hierarchy of its own. */
export interface CpuHierarchy {
  version: 1 | 2;
  mount: string;
}

/**
 * The hierarchy with the cpu controller, from /proc/self/mounts: the unified (v2) one when `v2Controllers` of its
 * root lists `cpu`, else the v1 hierarchy mounted with the `cpu` option (on hybrid hosts cpu is v1's).
 */
export function findCpuHierarchy(mounts: string, v2Controllers: (mount: string) => string[]): CpuHierarchy | undefined {
  const entries = mounts
    .split('\n')
    .map(line => line.split(' '))
    .filter(fields => fields.length >= 4)
    .map(([, mount, type, options]) => ({ mount: unescapeMountPath(mount), type, options: options.split(',') }));
  const unified = entries.find(entry => entry.type === 'cgroup2' && v2Controllers(entry.mount).includes('cpu'));
  if (unified) return { version: 2, mount: unified.mount };
  const v1 = entries.find(entry => entry.type === 'cgroup' && entry.options.includes('cpu'));
  return v1 && { version: 1, mount: v1.mount };
}

/** /proc/self/mounts writes spaces, tabs, newlines and backslashes in paths as octal escapes. */
function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** A quota of `cu` CPUs (a CU is 1 vCPU) a period, in whole microseconds and at least the kernel's minimum. */
export function quotaMicros(cu: number): number {
  return Math.max(MIN_QUOTA_US, Math.round(cu * CPU_PERIOD_US));
}

/** The files, in order, and what to write to them to give a cgroup `cu` CPUs; v1 checks a quota against its period. */
export function quotaWrites(version: 1 | 2, cu: number): Array<[file: string, content: string]> {
  return version === 2
    ? [['cpu.max', `${quotaMicros(cu)} ${CPU_PERIOD_US}`]]
    : [
        ['cpu.cfs_period_us', String(CPU_PERIOD_US)],
        ['cpu.cfs_quota_us', String(quotaMicros(cu))],
      ];
}

/** Every installation's cgroups live under this one, directly below the hierarchy's root. */
export const OROCHI_CGROUP = 'orochi';

/**
 * The cgroup of one installation's clusters in one data directory, under `orochi/`: named by both, so neither two
 * installations sharing a directory nor two directories (test runs, say) of one installation ever share it.
 */
export function scopeCgroup(installationId: string, dataRoot: string): string {
  const directory = createHash('sha256').update(dataRoot).digest('hex').slice(0, 12);
  return join(OROCHI_CGROUP, `${installationId}-${directory}`);
}

/** A cluster's cgroup in its scope; each instance's server has a cgroup of its own below it. */
export function clusterCgroup(scope: string, clusterId: string): string {
  return join(scope, clusterId);
}

export function instanceCgroup(scope: string, clusterId: string, index: number): string {
  return join(clusterCgroup(scope, clusterId), String(index));
}
