import { ClusterDriver } from '@orochi/backstage-plugin-orochi-node';

/**
 * A driver of jest mocks for tests of Orochi's own logic (the engine, the reconciler, the jobs): it holds
 * nothing, has no backups and answers what `overrides` say.
 */
export function fakeDriver<O extends Partial<ClusterDriver>>(overrides: O = {} as O) {
  return {
    capabilities: jest.fn(async () => ({ versions: [17], pooling: false, schedulesBackups: false })),
    apply: jest.fn(async () => undefined),
    delete: jest.fn(async () => undefined),
    observe: jest.fn(async () => ({ phase: 'missing' as const, instances: 0, readyInstances: 0, endpoints: [], conditions: [] })),
    readCredentials: jest.fn(),
    readMetrics: jest.fn(async () => undefined),
    listClusterIds: jest.fn(async () => []),
    deleteOrphan: jest.fn(async () => undefined),
    backup: jest.fn(),
    listBackups: jest.fn(async () => []),
    recoveryWindow: jest.fn(async () => ({})),
    restore: jest.fn(async () => undefined),
    applyBackupRetention: jest.fn(async () => []),
    purgeDeletedClusterBackups: jest.fn(async () => []),
    ...overrides,
  } satisfies ClusterDriver;
}
