import { LoggerService } from '@backstage/backend-plugin-api';
import { stringifyError } from '@backstage/errors';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  clusterCgroup,
  CpuHierarchy,
  findCpuHierarchy,
  instanceCgroup,
  OROCHI_CGROUP,
  quotaWrites,
  scopeCgroup,
} from './cgroups';
import { postmasterChildren } from './processUsage';

/** Keeps each server to its cluster's compute units of CPU, where the host lets the backend. */
export interface CpuLimiter {
  /**
   * Puts a running server, its postmaster and every child, into its instance's cgroup with a quota of `cu` CPUs
   * (a changed size changes the quota in place). Backends forked later inherit the postmaster's cgroup.
   */
  limit(clusterId: string, index: number, cu: number, postmasterPid: number): Promise<void>;
  /** Removes a stopped server's cgroup, and its cluster's once that has none left; never one with processes in it. */
  release(clusterId: string, index: number): Promise<void>;
  /** The directory of an instance's cgroup, when CPU is limited; for tests and diagnostics. */
  cgroup(clusterId: string, index: number): string | undefined;
}

/** Whether CPU can be limited here: the hierarchy of the cpu controller, or why not. */
export type CpuCgroupProbe = { hierarchy: CpuHierarchy } | { reason: string };

/** How long a stopped server's cgroup may stay busy: its processes leave it as they finish exiting. */
const RELEASE_TIMEOUT_MS = 2_000;

/**
 * Whether the backend may limit servers' CPU on this host: a hierarchy with the cpu controller in which it can
 * make cgroups and give them quotas (on v2, also enable the controller for them). Tries on a cgroup of its own,
 * removed again. Synchronous, like all of this file's cgroup work: cgroup files are kernel state, never a disk.
 */
export function probeCpuCgroups(): CpuCgroupProbe {
  let hierarchy: CpuHierarchy | undefined;
  try {
    hierarchy = findCpuHierarchy(readFileSync('/proc/self/mounts', 'utf8'), controllers);
  } catch (error) {
    return { reason: `the mounts are unreadable: ${stringifyError(error)}` };
  }
  if (!hierarchy) return { reason: 'no cgroup hierarchy with the cpu controller is mounted' };
  const probe = join(OROCHI_CGROUP, `probe-${process.pid}-${randomUUID().slice(0, 8)}`);
  try {
    const directory = ensureCgroup(hierarchy, probe);
    try {
      for (const [file, content] of quotaWrites(hierarchy.version, 1)) writeFileSync(join(directory, file), content);
    } finally {
      rmdirSync(directory);
    }
  } catch (error) {
    return { reason: `cgroups of ${hierarchy.mount} (v${hierarchy.version}) are not writable: ${stringifyError(error)}` };
  }
  return { hierarchy };
}

const unlimited: CpuLimiter = {
  limit: async () => {},
  release: async () => {},
  cgroup: () => undefined,
};

/** CPU quotas through cgroups: `orochi/<scope>/<cluster>/<instance>`, one cgroup for each server. */
export class CpuLimits implements CpuLimiter {
  readonly #hierarchy: CpuHierarchy;
  readonly #scope: string;
  readonly #logger: LoggerService;

  constructor(hierarchy: CpuHierarchy, scope: string, logger: LoggerService) {
    this.#hierarchy = hierarchy;
    this.#scope = scope;
    this.#logger = logger;
  }

  get scopeDirectory() {
    return join(this.#hierarchy.mount, this.#scope);
  }

  cgroup(clusterId: string, index: number) {
    return join(this.#hierarchy.mount, instanceCgroup(this.#scope, clusterId, index));
  }

  /** A server whose CPU cannot be limited still runs: the failure is logged, not thrown. */
  async limit(clusterId: string, index: number, cu: number, postmasterPid: number) {
    try {
      const directory = ensureCgroup(this.#hierarchy, instanceCgroup(this.#scope, clusterId, index));
      for (const [file, content] of quotaWrites(this.#hierarchy.version, cu)) {
        writeFileSync(join(directory, file), content);
      }
      // The postmaster first: children it forks from then on are born in the cgroup, so listing its children
      // afterwards misses none of those born before.
      moveProcess(directory, postmasterPid);
      for (const pid of await postmasterChildren(postmasterPid)) moveProcess(directory, pid);
    } catch (error) {
      this.#logger.warn(`The CPU of cluster ${clusterId}'s server ${index} is not limited: ${stringifyError(error)}`);
    }
  }

  /** A cgroup that cannot be removed is logged and kept: stopping or deleting its cluster goes on. */
  async release(clusterId: string, index: number) {
    const parents = [clusterCgroup(this.#scope, clusterId), this.#scope].map(parent => join(this.#hierarchy.mount, parent));
    try {
      if (!(await removeOnceEmpty(this.cgroup(clusterId, index)))) return;
      for (const parent of parents) {
        if (!removeIfEmpty(parent)) return;
      }
    } catch (error) {
      this.#logger.warn(`Keeping the cgroup of cluster ${clusterId}'s server ${index}: ${stringifyError(error)}`);
    }
  }
}

/** Limits for the servers of one installation's data directory, or none (logged once, with the reason). */
export function detectCpuLimits(options: {
  mode: 'auto' | 'off';
  installationId: string;
  dataRoot: string;
  logger: LoggerService;
}): CpuLimiter {
  const { mode, logger } = options;
  const probe: CpuCgroupProbe = mode === 'off' ? { reason: 'orochi.local.cpuLimits is off' } : probeCpuCgroups();
  if ('reason' in probe) {
    logger.info(`Local driver: servers' CPU is not limited (${probe.reason})`);
    return unlimited;
  }
  const limits = new CpuLimits(probe.hierarchy, scopeCgroup(options.installationId, options.dataRoot), logger);
  logger.info(
    `Local driver: each server gets its cluster's CPUs, through cgroup v${probe.hierarchy.version} ${limits.scopeDirectory}`,
  );
  return limits;
}

/** The cgroup's controllers, for a v2 hierarchy; none where the file is missing (a v1 or an empty mount). */
function controllers(directory: string): string[] {
  const path = join(directory, 'cgroup.controllers');
  return existsSync(path) ? readFileSync(path, 'utf8').trim().split(/\s+/) : [];
}

/**
 * Makes the cgroup at `relative` and any missing parents; on v2 the cpu controller must be enabled in the
 * subtree_control of each parent for the quota file to exist.
 */
function ensureCgroup(hierarchy: CpuHierarchy, relative: string): string {
  let directory = hierarchy.mount;
  for (const name of relative.split('/')) {
    if (hierarchy.version === 2) {
      const control = join(directory, 'cgroup.subtree_control');
      if (!readFileSync(control, 'utf8').split(/\s+/).includes('cpu')) writeFileSync(control, '+cpu');
    }
    directory = join(directory, name);
    mkdirSync(directory, { recursive: true });
  }
  return directory;
}

function moveProcess(directory: string, pid: number) {
  try {
    writeFileSync(join(directory, 'cgroup.procs'), String(pid));
  } catch (error) {
    // A child that exited meanwhile.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** Removes a stopped server's cgroup, waiting while its last processes finish exiting. */
async function removeOnceEmpty(directory: string): Promise<boolean> {
  const deadline = Date.now() + RELEASE_TIMEOUT_MS;
  for (;;) {
    try {
      return removeIfEmpty(directory);
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await delay(50);
    }
  }
}

/**
 * Removes a cgroup, which the kernel allows only once no process and no child cgroup is left in it. Answers
 * whether it is gone (false: it has child cgroups); throws while processes are in it.
 */
function removeIfEmpty(directory: string): boolean {
  try {
    rmdirSync(directory);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return true;
    // Cgroup files are never directories: a directory is a child cgroup.
    if (code === 'EBUSY' && readdirSync(directory, { withFileTypes: true }).some(entry => entry.isDirectory())) return false;
    throw error;
  }
}
