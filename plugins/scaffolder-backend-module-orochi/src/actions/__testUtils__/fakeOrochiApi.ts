import { mockServices } from '@backstage/backend-test-utils';
import { ResponseError } from '@backstage/errors';
import { BranchRequest, Cluster, defaultOffering, Operation, OrochiApi } from '@orochi/backstage-plugin-orochi-common';
import { clusterRecord } from '@orochi/test-utils';
import { OrochiActionDeps } from '../orochiApi';

/** An error answer of the Orochi API, as the client throws it. */
export async function apiError(status: number, name: string, message: string): Promise<ResponseError> {
  return ResponseError.fromResponse(
    new Response(JSON.stringify({ error: { name, message }, request: { method: 'GET', url: '/' }, response: { statusCode: status } }), {
      status,
      statusText: name,
      headers: { 'Content-Type': 'application/json' },
    }) as any,
  );
}

function operation(cluster: Cluster, type: 'restore' | 'delete', state: Operation['state'] = 'succeeded'): Operation {
  const now = new Date().toISOString();
  return {
    id: `op-${type}-${cluster.id}`,
    clusterId: cluster.id,
    clusterName: cluster.name,
    state,
    steps: [{ name: type === 'restore' ? 'Copy the parent' : 'Remove the servers', state: 'succeeded', startedAt: now, finishedAt: now }],
    attempts: 1,
    requestedBy: 'user:default/mock',
    createdAt: now,
    updatedAt: now,
    type,
    parameters: type === 'restore' ? { sourceClusterId: cluster.parent!.clusterId, target: { type: 'now' } } : {},
  } as Operation;
}

/**
 * An Orochi API over an in-memory list of clusters, as far as the branch actions use it: names are unique, a
 * branch is ready once its operation is read, deleting a cluster with branches is a 409.
 */
export function fakeOrochiApi(initial: Cluster[]) {
  const clusters = [...initial];
  const operations = new Map<string, Operation>();
  const find = async (id: string) => {
    const found = clusters.find(c => c.id === id);
    if (!found) throw await apiError(404, 'NotFoundError', `No cluster ${id}`);
    return found;
  };
  const api = {
    getOffering: jest.fn(async () => defaultOffering([15])),
    listClusters: jest.fn(async ({ search, limit = 100, offset = 0 }: { search?: string; limit?: number; offset?: number } = {}) => {
      const matching = clusters.filter(c => !search || c.name.includes(search));
      return { items: matching.slice(offset, offset + limit), totalCount: matching.length };
    }),
    getCluster: jest.fn(find),
    getRecoveryWindow: jest.fn(async () => ({ earliest: '2026-11-20T00:00:00.000Z', latest: '2026-11-23T00:00:00.000Z' })),
    listBranches: jest.fn(async (id: string) => ({ items: clusters.filter(c => c.parent?.kind === 'branch' && c.parent.clusterId === id) })),
    createBranch: jest.fn(async (parentId: string, request: BranchRequest) => {
      const parent = await find(parentId);
      if (clusters.some(c => c.name === request.name)) throw await apiError(409, 'ConflictError', `A cluster named ${request.name} exists`);
      const branch = clusterRecord(request.name, {
        id: `id-${request.name}`,
        owner: request.owner ?? parent.owner,
        status: 'restoring',
        endpoints: [],
        parent: { kind: 'branch', clusterId: parent.id, clusterName: parent.name, ...(request.targetTime ? { targetTime: request.targetTime } : {}) },
        expiresAt: new Date(Date.now() + (request.ttlHours ?? 24) * 3_600_000).toISOString(),
        createdBy: 'user:default/mock',
        createdAt: new Date().toISOString(),
      });
      const op = operation(branch, 'restore');
      operations.set(op.id, op);
      clusters.push({ ...branch, currentOperationId: op.id });
      return { cluster: branch, operation: op };
    }),
    getOperation: jest.fn(async (id: string) => {
      const op = operations.get(id);
      if (!op) throw await apiError(404, 'NotFoundError', `No operation ${id}`);
      // The copy is done: the branch is ready where it listens.
      const index = clusters.findIndex(c => c.id === op.clusterId);
      if (op.type === 'restore' && index >= 0) {
        clusters[index] = {
          ...clusters[index],
          status: 'ready',
          currentOperationId: undefined,
          endpoints: [{ role: 'primary', host: 'localhost', port: 54399 }],
        };
      }
      if (op.type === 'delete' && index >= 0) clusters.splice(index, 1);
      return op;
    }),
    deleteCluster: jest.fn(async (id: string) => {
      const cluster = await find(id);
      if (clusters.some(c => c.parent?.kind === 'branch' && c.parent.clusterId === id)) {
        throw await apiError(409, 'ConflictError', `Cluster ${cluster.name} has branches; delete or detach them first`);
      }
      const op = operation(cluster, 'delete');
      operations.set(op.id, op);
      return { cluster: { ...cluster, status: 'deleting' as const }, operation: op };
    }),
  };
  const deps: OrochiActionDeps = {
    auth: mockServices.auth({ pluginId: 'scaffolder' }),
    discovery: { getBaseUrl: async () => 'http://unused', getExternalBaseUrl: async () => 'http://unused' },
    appBaseUrl: 'http://portal.example.com',
    api: api as unknown as OrochiApi,
  };
  return { api, deps, clusters };
}
