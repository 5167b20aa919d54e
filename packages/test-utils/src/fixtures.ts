import { ClusterSpec } from '@orochi/backstage-plugin-orochi-common';

/** A complete cluster spec with the offering's defaults, for tests that write records directly. */
export function clusterSpec(name: string, overrides: Partial<ClusterSpec> = {}): ClusterSpec {
  return {
    name,
    owner: 'group:default/team-payments',
    plan: 'pro',
    size: 'small',
    instances: 1,
    storageGb: 1,
    version: 15,
    region: 'local',
    autoscaling: { enabled: false, minCu: 1, maxCu: 1 },
    scaleToZero: { enabled: false, idleMinutes: 15 },
    backups: { enabled: false, schedule: '0 0 3 * * *', retentionDays: 7 },
    hibernated: false,
    ...overrides,
  };
}
