import { Backup, ClusterChange, Operation } from '@orochi/backstage-plugin-orochi-common';
import { clusterRecord } from '@orochi/backstage-plugin-orochi-common/testUtils';

/** A backup of orders-db. */
export const backup = (overrides: Partial<Backup> = {}): Backup => ({
  id: 'backup-1',
  clusterId: 'id-orders-db',
  kind: 'scheduled',
  state: 'completed',
  startedAt: '2026-12-02T03:00:00.000Z',
  finishedAt: '2026-12-02T03:04:10.000Z',
  sizeBytes: 1_500_000_000,
  recoverableFrom: '2026-12-02T03:04:10.000Z',
  ...overrides,
});

/** An operation of a cluster, as the API answers it. */
export const operation = (overrides: Partial<Operation> = {}): Operation =>
  ({
    id: 'op-1',
    clusterId: 'id-orders-db',
    clusterName: 'orders-db',
    type: 'backup',
    parameters: { backupId: 'backup-2', kind: 'manual' },
    state: 'running',
    steps: [],
    attempts: 1,
    requestedBy: 'user:default/pat',
    createdAt: '2026-12-03T10:00:00.000Z',
    updatedAt: '2026-12-03T10:00:00.000Z',
    ...overrides,
  }) as Operation;

/** What the API answers for an accepted change: the cluster (for a restore or branch, the new one) and its operation. */
export const change = (clusterName: string, op: Partial<Operation>): ClusterChange => ({
  cluster: clusterRecord(clusterName, { status: 'restoring', currentOperationId: op.id }),
  operation: operation({ clusterId: `id-${clusterName}`, clusterName, ...op }),
});

/** What the client throws for an error answer: a ResponseError carrying the API's error body. */
export const apiError = (status: string, name: string, message: string) =>
  Object.assign(new Error(`Request failed with ${status}`), { name: 'ResponseError', body: { error: { name, message } } });

export const allowed = { allowed: true, loading: false };
export const denied = { allowed: false, loading: false };
