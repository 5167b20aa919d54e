import { coreServices, createServiceFactory } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { orochiPlugin } from '@orochi/backstage-plugin-orochi-backend';
import { exampleEntities, testDatabaseServiceFactory, waitForOperation } from '@orochi/test-utils';
import type { Server } from 'node:http';
import request from 'supertest';
import { playOperator } from './__testUtils__/operator';
import { uniquePrefix } from './__testUtils__/kube';
import { orochiModuleKubernetes } from './module';
import { CNPG, CustomKind } from './names';

jest.setTimeout(180_000);

/**
 * Backups, restores and branches on CloudNativePG through the Orochi API, against the test API server (strict
 * field validation, the real CRDs), with the test playing the operator and the Barman Cloud plugin.
 */
describe('kubernetes backups, restores and branches', () => {
  const namespacePrefix = uniquePrefix();
  const namespace = `${namespacePrefix}team-payments`;
  const windowStart = new Date(Date.now() - 3_600_000);
  const scheduler = mockServices.scheduler();
  let server: Server;
  let custom: CustomObjectsApi;
  let core: CoreV1Api;
  let stopOperator: () => void;

  beforeAll(async () => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(process.env.OROCHI_TEST_KUBECONFIG!);
    custom = kubeConfig.makeApiClient(CustomObjectsApi);
    core = kubeConfig.makeApiClient(CoreV1Api);
    stopOperator = playOperator(custom, namespacePrefix, windowStart);
    ({ server } = await startTestBackend({
      features: [
        orochiPlugin,
        testDatabaseServiceFactory(),
        orochiModuleKubernetes,
        catalogServiceMock.factory({ entities: exampleEntities() }),
        createServiceFactory({ service: coreServices.scheduler, deps: {}, factory: () => scheduler }),
        mockServices.rootConfig.factory({
          data: {
            orochi: {
              driver: 'kubernetes',
              operations: { readyTimeoutSeconds: 60 },
              backups: { deletedClusterRetention: { milliseconds: 1 } },
              kubernetes: {
                kubeconfig: process.env.OROCHI_TEST_KUBECONFIG,
                namespacePrefix,
                versions: [17],
                backups: { destinationPath: 's3://orochi-test-backups/' },
              },
            },
          },
        }),
      ],
    }));
  });

  afterAll(async () => {
    stopOperator?.();
    await core?.deleteNamespace({ name: namespace }).catch(() => undefined);
  });

  const get = (kind: CustomKind, name: string): Promise<any> =>
    custom.getNamespacedCustomObject({ ...kind, namespace, name }).catch(() => undefined);

  async function change(method: 'post' | 'patch' | 'delete', path: string, body?: object) {
    const res = await request(server)[method](`/api/orochi${path}`).send(body);
    expect({ status: res.status, error: res.body.error?.message }).toEqual({ status: 202, error: undefined });
    expect(await waitForOperation(server, res.body.operation.id)).toMatchObject({ state: 'succeeded' });
    return res.body;
  }

  it('backs up, restores to a time and a backup, branches, and keeps then purges a deleted cluster’s backups', async () => {
    const { cluster: source } = await change('post', '/clusters', { name: 'kube-src', owner: 'team-payments', backups: { enabled: true } });
    const serverName = `kube-src-${source.id}`;

    // Back up now: a Backup through the plugin, completed by the operator, listed as Orochi's manual backup.
    const { operation } = await change('post', `/clusters/${source.id}/backups`);
    const backupId: string = operation.parameters.backupId;
    const backupObject = await get(CNPG.backup, `kube-src-${backupId.replace(/-/g, '').slice(0, 12)}`);
    expect(backupObject.spec).toEqual({
      cluster: { name: 'kube-src' },
      method: 'plugin',
      pluginConfiguration: { name: 'barman-cloud.cloudnative-pg.io' },
    });
    const backups = (await request(server).get(`/api/orochi/clusters/${source.id}/backups`)).body.items;
    expect(backups).toEqual([
      expect.objectContaining({ id: backupId, kind: 'manual', state: 'completed', wal: { start: '000000010000000000000004', end: '000000010000000000000005' } }),
    ]);

    // The window: from the plugin's first recoverability point to now, while the cluster archives.
    const window = (await request(server).get(`/api/orochi/clusters/${source.id}/recovery-window`)).body;
    expect(window.earliest).toBe(windowStart.toISOString());
    expect(Date.parse(window.latest)).toBeGreaterThan(Date.now() - 60_000);

    // Restore to a time: a new Cluster recovering from the source's folder, archiving into its own.
    const targetTime = new Date(windowStart.getTime() + 60_000).toISOString();
    const { cluster: restored } = await change('post', `/clusters/${source.id}/restore`, { name: 'kube-restored', targetTime });
    const restoredCluster = await get(CNPG.cluster, 'kube-restored');
    expect(restoredCluster.spec.bootstrap).toEqual({
      recovery: { source: 'origin', recoveryTarget: { targetTime }, database: 'app', owner: 'app', secret: { name: 'kube-restored-app' } },
    });
    expect(restoredCluster.spec.externalClusters).toEqual([
      { name: 'origin', plugin: { name: 'barman-cloud.cloudnative-pg.io', enabled: true, isWALArchiver: false, parameters: { barmanObjectName: 'kube-restored-source', serverName } } },
    ]);
    const ownArchive = restoredCluster.spec.plugins[0].parameters;
    expect(ownArchive).toEqual({ barmanObjectName: `kube-restored-${restored.id}-backups`, serverName: `kube-restored-${restored.id}` });
    expect(ownArchive.serverName).not.toBe(serverName);
    expect((await get(CNPG.objectStore, 'kube-restored-source')).spec.configuration.destinationPath).toBe(`s3://orochi-test-backups/${namespace}/`);
    // Its own credentials, not the source's.
    const password = async (id: string) => (await request(server).get(`/api/orochi/clusters/${id}/credentials`)).body.password;
    expect(await password(restored.id)).not.toBe(await password(source.id));

    // A resize keeps the recovery bootstrap (it happens once).
    await change('patch', `/clusters/${restored.id}`, { size: 'medium' });
    expect((await get(CNPG.cluster, 'kube-restored')).spec.bootstrap.recovery).toMatchObject({ recoveryTarget: { targetTime } });

    // A backup's consistent state, and a branch of the latest.
    await change('post', `/clusters/${source.id}/restore`, { name: 'kube-from-backup', backupId });
    expect((await get(CNPG.cluster, 'kube-from-backup')).spec.bootstrap.recovery.recoveryTarget).toEqual({
      backupID: `barman-${backupObject.metadata.name}`,
      targetImmediate: true,
    });
    const { cluster: branch } = await change('post', `/clusters/${source.id}/branches`, { name: 'kube-branch', ttlHours: 2 });
    expect(branch.parent).toMatchObject({ kind: 'branch', clusterId: source.id });
    expect((await get(CNPG.cluster, 'kube-branch')).spec.bootstrap.recovery).not.toHaveProperty('recoveryTarget');

    // Deleting keeps the cluster's ObjectStore, marked; the retention job purges it after the grace period.
    await change('delete', `/clusters/${branch.id}`);
    expect(await get(CNPG.cluster, 'kube-branch')).toBeUndefined();
    expect(await get(CNPG.objectStore, 'kube-branch-source')).toBeUndefined();
    const kept = await get(CNPG.objectStore, `kube-branch-${branch.id}-backups`);
    expect(kept.metadata.annotations['orochi.io/deleted-at']).toEqual(expect.any(String));
    expect(kept.spec.configuration.destinationPath).toBe(`s3://orochi-test-backups/${namespace}/`);
    // Until then an admin can restore it from there, under its old name.
    const deleted = async () =>
      (await request(server).get('/api/orochi/deleted-clusters')).body.items.map((d: { cluster: { id: string } }) => d.cluster.id);
    expect(await deleted()).toContain(branch.id);
    const { cluster: again } = await change('post', `/deleted-clusters/${branch.id}/restore`, { name: 'kube-branch' });
    expect((await get(CNPG.cluster, 'kube-branch')).spec.externalClusters[0].plugin.parameters).toEqual({
      barmanObjectName: 'kube-branch-source',
      serverName: `kube-branch-${branch.id}`,
    });
    expect((await get(CNPG.cluster, 'kube-branch')).spec.plugins[0].parameters.serverName).toBe(`kube-branch-${again.id}`);
    await scheduler.triggerTask('orochi-backup-retention');
    expect(await deleted()).not.toContain(branch.id);
    expect(await get(CNPG.objectStore, `kube-branch-${branch.id}-backups`)).toBeUndefined();
    expect(await get(CNPG.objectStore, `kube-src-${source.id}-backups`)).toBeDefined();
    // The cluster that took the deleted one's name keeps its own store.
    expect(await get(CNPG.objectStore, `kube-branch-${again.id}-backups`)).toBeDefined();
  });
});
