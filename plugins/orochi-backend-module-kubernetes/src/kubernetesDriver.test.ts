import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
// The plugin by name: startTestBackend adds a stand-in plugin for a module whose plugin sits in a feature loader.
import { orochiPlugin } from '@orochi/backstage-plugin-orochi-backend';
import { exampleEntities, waitForOperation, testDatabaseServiceFactory } from '@orochi/test-utils';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import request from 'supertest';
import { orochiModuleKubernetes } from './module';
import { CNPG, CustomKind } from './names';
import { playOperator } from './__testUtils__/operator';

/** Each plugin's SQLite database, which lets the Jest worker exit when its tests are done. */
const databaseFactory = testDatabaseServiceFactory();

jest.setTimeout(180_000);

/** The API server the global setup started, or the real cluster named by OROCHI_TEST_KUBECONFIG. */
const kubeconfigPath = () => {
  const path = process.env.OROCHI_TEST_KUBECONFIG;
  if (!path) throw new Error('No Kubernetes API server for the test: the package’s jest globalSetup starts one');
  return path;
};

describe('the kubernetes driver through the Orochi API', () => {
  const namespacePrefix = `orochi-t${randomBytes(3).toString('hex')}-`;
  const namespace = `${namespacePrefix}team-payments`;
  let server: Server;
  let custom: CustomObjectsApi;
  let core: CoreV1Api;
  let stopOperator: () => void;

  beforeAll(async () => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfigPath());
    custom = kubeConfig.makeApiClient(CustomObjectsApi);
    core = kubeConfig.makeApiClient(CoreV1Api);
    stopOperator = playOperator(custom, namespacePrefix);
    ({ server } = await startTestBackend({
      features: [
        orochiPlugin,
        databaseFactory,
        orochiModuleKubernetes,
        catalogServiceMock.factory({ entities: exampleEntities() }),
        mockServices.rootConfig.factory({
          data: {
            orochi: {
              driver: 'kubernetes',
              operations: { readyTimeoutSeconds: 60 },
              kubernetes: {
                kubeconfig: kubeconfigPath(),
                namespacePrefix,
                versions: [16, 17],
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

  const get = (kind: CustomKind, name: string) =>
    custom.getNamespacedCustomObject({ group: kind.group, version: kind.version, plural: kind.plural, namespace, name }).catch(() => undefined);

  async function change(method: 'post' | 'patch' | 'delete', path: string, body?: object) {
    const res = await request(server)[method](`/api/orochi${path}`).send(body);
    expect({ status: res.status, error: res.body.error?.message }).toEqual({ status: 202, error: undefined });
    expect(await waitForOperation(server, res.body.operation.id)).toMatchObject({ state: 'succeeded' });
    return res.body.cluster;
  }

  it('runs a cluster through create, resize, replicas, pooling, hibernate, wake and delete', async () => {
    // Create: namespace, credentials, Cluster, backups; the operator's healthy status makes it ready.
    const created = await change('post', '/clusters', { name: 'kube-db', owner: 'team-payments', backups: { enabled: true } });
    const id = created.id;
    let cluster = (await request(server).get(`/api/orochi/clusters/${id}`)).body;
    expect(cluster).toMatchObject({ status: 'ready', readyInstances: 1, kubernetes: { namespace, name: 'kube-db' } });
    expect(cluster.endpoints).toEqual([{ role: 'primary', host: `kube-db-rw.${namespace}.svc`, port: 5432 }]);

    const ns = await core.readNamespace({ name: namespace });
    expect(ns.metadata?.labels).toMatchObject({ 'orochi.io/owner': 'team-payments', 'app.kubernetes.io/managed-by': 'orochi' });
    const secret = await core.readNamespacedSecret({ namespace, name: 'kube-db-app' });
    expect(secret.type).toBe('kubernetes.io/basic-auth');
    const credentials = (await request(server).get(`/api/orochi/clusters/${id}/credentials`)).body;
    expect(credentials).toMatchObject({ host: `kube-db-rw.${namespace}.svc`, port: 5432, user: 'app', database: 'app' });
    expect(Buffer.from(secret.data!.password, 'base64').toString()).toBe(credentials.password);

    let cnpg: any = await get(CNPG.cluster, 'kube-db');
    expect(cnpg.spec).toMatchObject({ instances: 1, imageName: 'ghcr.io/orochi-db/orochi-postgres:17', storage: { size: '1Gi' } });
    expect(cnpg.metadata.managedFields.map((f: { manager: string }) => f.manager)).toContain('orochi');
    expect(cnpg.spec.plugins).toEqual([expect.objectContaining({ name: 'barman-cloud.cloudnative-pg.io', isWALArchiver: true })]);
    expect(await get(CNPG.objectStore, `kube-db-${id}-backups`)).toMatchObject({ spec: { retentionPolicy: '7d' } });
    expect(await get(CNPG.scheduledBackup, 'kube-db-backup')).toMatchObject({ spec: { schedule: '0 0 3 * * *', cluster: { name: 'kube-db' } } });

    // Resize: CPU, memory and the parameters derived from the size.
    await change('patch', `/clusters/${id}`, { size: 'medium', storageGb: 5 });
    cnpg = await get(CNPG.cluster, 'kube-db');
    expect(cnpg.spec).toMatchObject({
      resources: { requests: { cpu: '2', memory: '4096Mi' } },
      postgresql: { parameters: { shared_buffers: '1024MB', max_connections: '200' } },
      storage: { size: '5Gi' },
    });

    // Replicas.
    await change('patch', `/clusters/${id}`, { instances: 3 });
    expect((await get(CNPG.cluster, 'kube-db') as any).spec.instances).toBe(3);
    cluster = (await request(server).get(`/api/orochi/clusters/${id}`)).body;
    expect(cluster).toMatchObject({ readyInstances: 3 });
    expect(cluster.endpoints.map((e: { role: string }) => e.role)).toEqual(['primary', 'replica']);

    // Pooling: a PgBouncer pooler in transaction mode, and its endpoint.
    await change('patch', `/clusters/${id}`, { pooling: { enabled: true } });
    expect(await get(CNPG.pooler, 'kube-db-pooler')).toMatchObject({ spec: { cluster: { name: 'kube-db' }, type: 'rw', pgbouncer: { poolMode: 'transaction' } } });
    cluster = (await request(server).get(`/api/orochi/clusters/${id}`)).body;
    expect(cluster.endpoints).toContainEqual({ role: 'pooler', host: `kube-db-pooler.${namespace}.svc`, port: 5432 });

    // Hibernate sets the annotation; wake clears it.
    await change('post', `/clusters/${id}/hibernate`);
    expect((await get(CNPG.cluster, 'kube-db') as any).metadata.annotations).toMatchObject({ 'cnpg.io/hibernation': 'on' });
    expect((await request(server).get(`/api/orochi/clusters/${id}`)).body).toMatchObject({ status: 'hibernated', endpoints: [] });
    await change('post', `/clusters/${id}/wake`);
    expect((await get(CNPG.cluster, 'kube-db') as any).metadata.annotations).not.toHaveProperty(['cnpg.io/hibernation']);
    expect((await request(server).get(`/api/orochi/clusters/${id}`)).body).toMatchObject({ status: 'ready', readyInstances: 3 });

    // Delete: everything Orochi created for the cluster is gone but the backups' ObjectStore, kept and marked.
    const deleting = await request(server).delete(`/api/orochi/clusters/${id}`);
    expect(await waitForOperation(server, deleting.body.operation.id)).toMatchObject({ state: 'succeeded' });
    for (const [kind, name] of [
      [CNPG.cluster, 'kube-db'],
      [CNPG.pooler, 'kube-db-pooler'],
      [CNPG.scheduledBackup, 'kube-db-backup'],
    ] as const) {
      expect({ kind: kind.kind, object: await get(kind, name) }).toEqual({ kind: kind.kind, object: undefined });
    }
    await expect(core.readNamespacedSecret({ namespace, name: 'kube-db-app' })).rejects.toMatchObject({ code: 404 });
    expect((await request(server).get(`/api/orochi/clusters/${id}`)).status).toBe(404);
    expect(await get(CNPG.objectStore, `kube-db-${id}-backups`)).toMatchObject({
      metadata: { annotations: { 'orochi.io/deleted-at': expect.any(String) } },
      spec: { retentionPolicy: '7d' },
    });
  });

  it("reports CloudNativePG's rolling update of a resize as the operation's steps", async () => {
    const { id } = await change('post', '/clusters', { name: 'rolling-db', owner: 'team-payments', instances: 3 });
    const res = await request(server).patch(`/api/orochi/clusters/${id}`).send({ size: 'medium' });
    expect(res.status).toBe(202);
    const operation = await waitForOperation(server, res.body.operation.id);
    expect(operation.state).toBe('succeeded');
    const steps = operation.steps.map((step: { name: string }) => step.name);
    // The replicas one by one, the last by name first, then the primary restarted in place (CNPG's defaults).
    const restarts = ['Restart instance rolling-db-3', 'Restart instance rolling-db-2', 'Restart primary rolling-db-1'];
    expect(steps.filter((name: string) => name.startsWith('Restart'))).toEqual(restarts.map(name => `${name} with 2 CPU / 4 GiB`));
    expect(steps.indexOf('Apply the CloudNativePG cluster')).toBeLessThan(steps.indexOf(`${restarts[0]} with 2 CPU / 4 GiB`));
    expect(operation.steps.every((step: { state: string }) => step.state === 'succeeded')).toBe(true);
    expect((await request(server).get(`/api/orochi/clusters/${id}`)).body).toMatchObject({ status: 'ready', readyInstances: 3 });

    // A change the pods do not see (pooling) restarts nothing.
    const pooling = await request(server).patch(`/api/orochi/clusters/${id}`).send({ pooling: { enabled: true } });
    const quiet = await waitForOperation(server, pooling.body.operation.id);
    expect(quiet.steps.map((step: { name: string }) => step.name).filter((name: string) => name.startsWith('Restart'))).toEqual([]);
  });

  it('refuses a version the image does not come in, with a clear error', async () => {
    const res = await request(server).post('/api/orochi/clusters').send({ name: 'old-db', owner: 'team-payments', version: 12 });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/version: unknown PostgreSQL version "12"; one of 16, 17/);
  });
});
