import { CU_MEMORY_MIB } from '@orochi/backstage-plugin-orochi-common';

/** Settings that only take effect after a server restart. */
const RESTART_SETTINGS = new Set(['shared_buffers', 'max_connections', 'max_worker_processes', 'archive_mode', 'wal_level']);

/**
 * PostgreSQL settings for a size, the same for every driver, from the usual rules of thumb for a dedicated server of that much memory and
 * CPU: a quarter of memory for shared buffers, three quarters as the planner's cache estimate.
 */
export function settingsForSize(cu: number): Record<string, string> {
  const memoryMib = cu * CU_MEMORY_MIB;
  const cpus = Math.max(1, Math.round(cu));
  return {
    shared_buffers: `${Math.floor(memoryMib / 4)}MB`,
    effective_cache_size: `${Math.floor((memoryMib * 3) / 4)}MB`,
    maintenance_work_mem: `${Math.max(64, Math.floor(memoryMib / 16))}MB`,
    work_mem: `${Math.max(4, Math.floor(memoryMib / 256))}MB`,
    max_connections: String(100 * cpus),
    max_worker_processes: String(Math.max(8, cpus)),
    max_parallel_workers: String(cpus),
    max_parallel_workers_per_gather: String(Math.max(1, Math.floor(cpus / 2))),
  };
}

/**
 * A cluster's settings on a host that does not limit its memory (the local driver): its size's, except that an
 * autoscaled cluster has the settings only a restart applies sized for the top of its range. Scaling within the
 * range is then a reload, which keeps every client session.
 */
export function settingsForCluster(cluster: { cu: number; spec: { autoscaling: { enabled: boolean; maxCu: number } } }) {
  const settings = settingsForSize(cluster.cu);
  if (!cluster.spec.autoscaling.enabled) return settings;
  const top = settingsForSize(Math.max(cluster.cu, cluster.spec.autoscaling.maxCu));
  return { ...settings, ...Object.fromEntries([...RESTART_SETTINGS].filter(key => key in top).map(key => [key, top[key]])) };
}

/** Whether going from one set of settings to another needs a restart rather than a reload. */
export function needsRestart(
  before: Record<string, string>,
  after: Record<string, string>,
): boolean {
  return [...RESTART_SETTINGS].some(key => before[key] !== after[key]);
}
