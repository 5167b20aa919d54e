import { Cluster, ClusterSpec } from '../domain/cluster';

/** A complete cluster spec with the offering's defaults, for tests that write records directly. */
export function clusterSpec(name: string, overrides: Partial<ClusterSpec> = {}): ClusterSpec {
  return {
    name,
    owner: 'group:default/team-payments',
    size: 'small',
    cu: 1,
    instances: 1,
    storageGb: 1,
    version: 15,
    region: 'local',
    autoscaling: { enabled: false, minCu: 1, maxCu: 1 },
    scaleToZero: { enabled: false, idleMinutes: 15 },
    backups: { enabled: false, schedule: '0 0 3 * * *', retentionDays: 7 },
    pooling: { enabled: false },
    hibernated: false,
    ...overrides,
  };
}

/** A cluster as the API returns it, ready with one primary endpoint; for frontend and provider tests. */
export function clusterRecord(name: string, overrides: Partial<Cluster> = {}): Cluster {
  const spec = clusterSpec(name);
  return {
    ...spec,
    id: `id-${name}`,
    plan: 'pro',
    status: 'ready',
    conditions: [],
    endpoints: [{ role: 'primary', host: 'localhost', port: 54320 }],
    readyInstances: spec.instances,
    database: 'app',
    user: 'app',
    driver: 'local',
    createdBy: 'user:default/pat',
    createdAt: '2026-11-23T00:00:00.000Z',
    updatedAt: '2026-11-23T00:00:00.000Z',
    ...overrides,
  };
}
