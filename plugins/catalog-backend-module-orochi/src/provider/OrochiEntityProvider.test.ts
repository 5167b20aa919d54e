import { mockServices } from '@backstage/backend-test-utils';
import { ResponseError } from '@backstage/errors';
import { EntityProviderConnection } from '@backstage/plugin-catalog-node';
import { Cluster, OrochiApi } from '@orochi/backstage-plugin-orochi-common';
import { clusterRecord } from '@orochi/test-utils';
import { OrochiEntityProvider } from './OrochiEntityProvider';

const cluster = (name: string, extra: Partial<Cluster> = {}) =>
  clusterRecord(name, { instances: 2, readyInstances: 2, storageGb: 10, ...extra });

function setup(clusters: Cluster[]) {
  const api = {
    listClusters: jest.fn(async ({ limit, offset }: { limit: number; offset: number }) => ({
      items: clusters.slice(offset, offset + limit),
      totalCount: clusters.length,
    })),
    getCluster: jest.fn(async (id: string) => {
      const found = clusters.find(c => c.id === id);
      if (!found) {
        throw await ResponseError.fromResponse(
          new Response(JSON.stringify({ error: { name: 'NotFoundError', message: 'gone' } }), { status: 404, headers: { 'Content-Type': 'application/json' } }) as any,
        );
      }
      return found;
    }),
  } as unknown as OrochiApi;
  const events = mockServices.events.mock();
  const provider = new OrochiEntityProvider({
    taskRunner: { run: jest.fn() },
    events,
    auth: mockServices.auth(),
    discovery: { getBaseUrl: async () => 'http://backstage/api/orochi', getExternalBaseUrl: async () => 'http://backstage/api/orochi' },
    appBaseUrl: 'http://portal',
    logger: mockServices.logger.mock(),
    api,
  });
  const connection = { applyMutation: jest.fn(), refresh: jest.fn() } as unknown as jest.Mocked<EntityProviderConnection>;
  return { provider, connection, api, events };
}

describe('OrochiEntityProvider', () => {
  it('applies every cluster as a Resource entity in a full mutation, reading page by page', async () => {
    const clusters = Array.from({ length: 1500 }, (_, i) => cluster(`db-${i}`));
    const { provider, connection, api } = setup(clusters);
    await provider.connect(connection);
    await provider.refresh();
    expect(api.listClusters).toHaveBeenCalledTimes(2);
    const [[mutation]] = connection.applyMutation.mock.calls;
    expect(mutation.type).toBe('full');
    const entities = (mutation as { entities: Array<{ entity: any; locationKey?: string }> }).entities;
    expect(entities).toHaveLength(1500);
    expect(entities[0]).toEqual({
      locationKey: 'orochi',
      entity: {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Resource',
        metadata: {
          name: 'db-0',
          namespace: 'default',
          title: 'db-0',
          description: 'PostgreSQL 15 cluster managed by Orochi: small, 2 instances, 10 GB',
          annotations: {
            'orochi.io/cluster-id': 'id-db-0',
            'backstage.io/managed-by-location': 'url:http://backstage/api/orochi/clusters/id-db-0',
            'backstage.io/managed-by-origin-location': 'url:http://backstage/api/orochi/clusters/id-db-0',
          },
          labels: { 'orochi.io/plan': 'pro', 'orochi.io/size': 'small', 'orochi.io/region': 'local', 'orochi.io/status': 'ready' },
          tags: ['postgresql', 'orochi'],
          links: [{ url: 'http://portal/orochi/clusters/id-db-0', title: 'Open in Orochi', icon: 'dashboard' }],
        },
        spec: { type: 'orochi-cluster', owner: 'group:default/team-payments' },
      },
    });
  });

  it('points Backstage’s Kubernetes plugin at clusters the kubernetes driver runs', async () => {
    const { provider, connection } = setup([cluster('orders-db', { kubernetes: { namespace: 'orochi-team-payments', name: 'orders-db' } })]);
    await provider.connect(connection);
    await provider.refresh();
    const [[mutation]] = connection.applyMutation.mock.calls as any;
    expect(mutation.entities[0].entity.metadata.annotations).toMatchObject({
      'backstage.io/kubernetes-id': 'orders-db',
      'backstage.io/kubernetes-namespace': 'orochi-team-payments',
    });
  });

  it('names a branch’s parent as a dependency and carries its expiry; a restored cluster names its source only', async () => {
    const parent = cluster('orders-db');
    const branch = cluster('orders-db-pr-42', {
      owner: 'group:default/team-search',
      parent: { kind: 'branch', clusterId: 'id-orders-db', clusterName: 'orders-db' },
      expiresAt: '2026-11-24T00:00:00.000Z',
    });
    const restored = cluster('orders-db-restored', {
      parent: { kind: 'restore', clusterId: 'id-orders-db', clusterName: 'orders-db', targetTime: '2026-11-22T12:00:00.000Z' },
    });
    const { provider, connection } = setup([parent, branch, restored]);
    await provider.connect(connection);
    await provider.refresh();
    const [[mutation]] = connection.applyMutation.mock.calls as any;
    const [parentEntity, branchEntity, restoredEntity] = mutation.entities.map((e: { entity: any }) => e.entity);

    expect(branchEntity.spec).toEqual({
      type: 'orochi-cluster',
      owner: 'group:default/team-search',
      dependsOn: ['resource:default/orders-db'],
    });
    expect(branchEntity.metadata.annotations).toEqual({
      'orochi.io/cluster-id': 'id-orders-db-pr-42',
      'backstage.io/managed-by-location': 'url:http://backstage/api/orochi/clusters/id-orders-db-pr-42',
      'backstage.io/managed-by-origin-location': 'url:http://backstage/api/orochi/clusters/id-orders-db-pr-42',
      'orochi.io/parent': 'resource:default/orders-db',
      'orochi.io/parent-cluster-id': 'id-orders-db',
      'orochi.io/expires-at': '2026-11-24T00:00:00.000Z',
    });
    expect(branchEntity.metadata.labels).toMatchObject({ 'orochi.io/branch': 'true' });
    expect(branchEntity.metadata.description).toBe(
      'Branch of orders-db until 2026-11-24T00:00:00.000Z. PostgreSQL 15 cluster managed by Orochi: small, 2 instances, 10 GB',
    );

    // A restore is independent of its source: no relation, no expiry, no branch label.
    expect(restoredEntity.spec).toEqual({ type: 'orochi-cluster', owner: 'group:default/team-payments' });
    expect(restoredEntity.metadata.annotations).toMatchObject({
      'orochi.io/restored-from': 'resource:default/orders-db',
      'orochi.io/source-time': '2026-11-22T12:00:00.000Z',
    });
    expect(Object.keys(restoredEntity.metadata.annotations)).not.toContain('orochi.io/parent');
    expect(restoredEntity.metadata.labels['orochi.io/branch']).toBeUndefined();

    // The parent's own entity is unchanged: the catalog derives its dependencyOf from the branch's dependsOn.
    expect(parentEntity.spec).toEqual({ type: 'orochi-cluster', owner: 'group:default/team-payments' });
    expect(JSON.stringify(mutation.entities)).not.toMatch(/password|secret/i);
  });

  it('subscribes to cluster changes and applies each as a delta', async () => {
    const clusters = [cluster('orders-db', { system: 'system:default/payments' })];
    const { provider, connection, events } = setup(clusters);
    await provider.connect(connection);
    expect(events.subscribe).toHaveBeenCalledWith(expect.objectContaining({ topics: ['orochi.cluster.changed'] }));

    await provider.applyChange({ clusterId: 'id-orders-db', name: 'orders-db', deleted: false });
    const [[added]] = connection.applyMutation.mock.calls as any;
    expect(added.type).toBe('delta');
    expect(added.added[0].entity.spec).toEqual({ type: 'orochi-cluster', owner: 'group:default/team-payments', system: 'system:default/payments' });

    await provider.applyChange({ clusterId: 'id-orders-db', name: 'orders-db', deleted: true });
    await provider.applyChange({ clusterId: 'id-vanished', name: 'vanished-db', deleted: false });
    const removals = connection.applyMutation.mock.calls.slice(1).map(([m]: any) => m.removed);
    expect(removals).toEqual([
      [{ entityRef: 'resource:default/orders-db', locationKey: 'orochi' }],
      [{ entityRef: 'resource:default/vanished-db', locationKey: 'orochi' }],
    ]);
  });
});
