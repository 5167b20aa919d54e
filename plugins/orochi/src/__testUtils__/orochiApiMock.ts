import { defaultOffering, OrochiApi } from '@orochi/backstage-plugin-orochi-common';

/** An OrochiApi whose every method is a jest mock; tests set what they need. */
export function orochiApiMock(overrides: Partial<Record<keyof OrochiApi, jest.Mock>> = {}): jest.Mocked<OrochiApi> {
  return {
    getOffering: jest.fn(async () => defaultOffering([15])),
    listClusters: jest.fn(async () => ({ items: [], totalCount: 0 })),
    getCluster: jest.fn(),
    createCluster: jest.fn(),
    updateCluster: jest.fn(),
    hibernateCluster: jest.fn(),
    wakeCluster: jest.fn(),
    deleteCluster: jest.fn(),
    listClusterOperations: jest.fn(async () => ({ items: [] })),
    getOperation: jest.fn(),
    getMetrics: jest.fn(async () => ({ points: [] })),
    listAutoscalingDecisions: jest.fn(async () => ({ items: [] })),
    revealCredentials: jest.fn(),
    backupCluster: jest.fn(),
    listBackups: jest.fn(async () => ({ items: [] })),
    getRecoveryWindow: jest.fn(async () => ({})),
    restoreCluster: jest.fn(),
    createBranch: jest.fn(),
    listBranches: jest.fn(async () => ({ items: [] })),
    getAccountClusterUsage: jest.fn(async () => ({ items: [] })),
    getClusterUsage: jest.fn(async () => ({ granularity: 'month', periods: [] })),
    ...overrides,
  } as unknown as jest.Mocked<OrochiApi>;
}
