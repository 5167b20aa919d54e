import { coreServices, createServiceFactory } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { orochiPlugin } from '@orochi/backstage-plugin-orochi-backend';
import { startStandaloneProxy, readStandaloneConfig, StandaloneProxy } from '@orochi/orochi-proxy';
import {
  eventually,
  exampleEntities,
  Knex,
  selfSignedCertificate,
  startTestPostgres,
  testDatabaseServiceFactory,
  TestPostgres,
  waitForOperation,
} from '@orochi/test-utils';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, ClientConfig, DatabaseError } from 'pg';
import request from 'supertest';
import { orochiModuleKubernetes } from './module';
import { deleteNamespaces, testKubeConfig, uniquePrefix } from './__testUtils__/kube';
import { playOperator } from './__testUtils__/operator';

jest.setTimeout(180_000);

/**
 * The standalone proxy as it runs in Kubernetes: it finds clusters in the test API server, wakes them through the
 * backend's API with its own service token, and relays to the cluster's primary, for which a local PostgreSQL
 * stands in (the test API server runs no pods).
 */
const DOMAIN = 'db.orochi.test';
const PROXY_SUBJECT = 'orochi-proxy';

describe('the standalone connection proxy in front of kubernetes clusters', () => {
  const namespacePrefix = uniquePrefix();
  const directory = mkdtempSync(join(tmpdir(), 'orochi-kube-proxy-'));
  let server: Server;
  let standIn: TestPostgres;
  let proxy: StandaloneProxy;
  let certificate: string;
  let stopOperator: () => void;
  let orochiDatabase: Knex;
  /** Runs scheduled tasks only when the test triggers them. */
  const scheduler = mockServices.scheduler();

  beforeAll(async () => {
    standIn = await startTestPostgres();
    const admin = new Client({ connectionString: standIn.connectionString });
    await admin.connect();
    await admin.query('CREATE DATABASE app');
    await admin.end();
    stopOperator = playOperator(testKubeConfig().makeApiClient(CustomObjectsApi), namespacePrefix);
    ({ server } = await startTestBackend({
      features: [
        orochiPlugin,
        testDatabaseServiceFactory({ onCreate: (pluginId, knex) => pluginId === 'orochi' && (orochiDatabase = knex) }),
        orochiModuleKubernetes,
        createServiceFactory({ service: coreServices.scheduler, deps: {}, factory: () => scheduler }),
        catalogServiceMock.factory({ entities: exampleEntities() }),
        mockServices.rootConfig.factory({
          data: {
            orochi: {
              driver: 'kubernetes',
              operations: { readyTimeoutSeconds: 60 },
              serviceAccess: [{ subject: PROXY_SUBJECT, permissions: ['orochi.cluster.wakeOnConnect'] }],
              kubernetes: {
                kubeconfig: process.env.OROCHI_TEST_KUBECONFIG,
                namespacePrefix,
                versions: [17],
                connectionProxy: { domain: DOMAIN },
              },
            },
          },
        }),
      ],
    }));
    const files = await selfSignedCertificate(directory, [`*.${DOMAIN}`]);
    certificate = readFileSync(files.certificate, 'utf8');
    const token = mockCredentials.service.token({ onBehalfOf: mockCredentials.service(PROXY_SUBJECT), targetPluginId: 'orochi' });
    proxy = await startStandaloneProxy({
      config: readStandaloneConfig({
        OROCHI_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/orochi`,
        OROCHI_PROXY_TOKEN: token,
        OROCHI_PROXY_HOST: '127.0.0.1',
        OROCHI_PROXY_PORT: '0',
        OROCHI_PROXY_DOMAIN: DOMAIN,
        OROCHI_PROXY_TLS_CERT_FILE: files.certificate,
        OROCHI_PROXY_TLS_KEY_FILE: files.key,
        // Every cluster's primary Service is the stand-in here.
        OROCHI_PROXY_UPSTREAM: `127.0.0.1:${standIn.port}`,
      }),
      kubeConfig: testKubeConfig(),
      logger: { info: () => undefined, warn: () => undefined },
    });
  }, 180_000);

  afterAll(async () => {
    await proxy?.close();
    stopOperator?.();
    await deleteNamespaces(namespacePrefix);
    await standIn?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  async function change(method: 'post' | 'patch', path: string, body?: object) {
    const res = await request(server)[method](`/api/orochi${path}`).send(body);
    expect({ status: res.status, error: res.body.error?.message }).toEqual({ status: 202, error: undefined });
    expect(await waitForOperation(server, res.body.operation.id)).toMatchObject({ state: 'succeeded' });
    return res.body.cluster;
  }

  /** Through the proxy, as a client with the cluster's address: TLS to `<name>.<domain>` unless told otherwise. */
  async function query(cluster: string, config: Partial<ClientConfig> = {}) {
    const client = new Client({
      host: '127.0.0.1',
      port: proxy.port,
      user: 'postgres',
      database: 'app',
      ssl: { ca: certificate, servername: `${cluster}.${DOMAIN}` },
      ...config,
    });
    await client.connect();
    try {
      return (await client.query('SELECT current_database() AS database')).rows;
    } finally {
      await client.end();
    }
  }

  const refusal = (cluster: string, config: Partial<ClientConfig> = {}) =>
    query(cluster, config).then(
      () => 'connected',
      (error: unknown) => (error instanceof DatabaseError ? error.message : String(error)),
    );

  it('gives each cluster the address of the proxy, routed by TLS server name or by database', async () => {
    const created = await change('post', '/clusters', { name: 'proxied-db', owner: 'team-payments' });
    const details = (await request(server).get(`/api/orochi/clusters/${created.id}/credentials`)).body;
    expect(details).toMatchObject({ host: `proxied-db.${DOMAIN}`, port: 5432, database: 'app' });
    expect((await request(server).get(`/api/orochi/clusters/${created.id}`)).body.endpoints).toEqual([
      { role: 'primary', host: `proxied-db.${DOMAIN}`, port: 5432 },
    ]);

    expect(await query('proxied-db')).toEqual([{ database: 'app' }]);
    // Without TLS the database names the cluster, and the server gets the cluster's own database.
    expect(await query('ignored', { ssl: false, database: 'proxied-db' })).toEqual([{ database: 'app' }]);
    expect(await refusal('nobody-db')).toBe('no cluster named "nobody-db"');
  });

  it('refuses a cluster a user hibernated, with the reason, and wakes nothing', async () => {
    const created = await change('post', '/clusters', { name: 'resting-db', owner: 'team-payments' });
    await change('post', `/clusters/${created.id}/hibernate`);
    expect(await refusal('resting-db')).toBe('cluster resting-db is hibernated by a user; wake it in Orochi to connect');
    const operations = (await request(server).get(`/api/orochi/clusters/${created.id}/operations`)).body.items;
    expect(operations.map((o: { type: string }) => o.type)).toEqual(['hibernate', 'create']);
  });

  it('answers a client whose proxy token may not wake clusters with the reason', async () => {
    const res = await request(server)
      .post('/api/orochi/clusters/00000000-0000-0000-0000-000000000000/wake-on-connect')
      .set('Authorization', mockCredentials.service.header({ onBehalfOf: mockCredentials.service('another-service'), targetPluginId: 'orochi' }));
    expect(res.status).toBe(404);
    const created = (await request(server).get('/api/orochi/clusters?search=resting-db')).body.items[0];
    const denied = await request(server)
      .post(`/api/orochi/clusters/${created.id}/wake-on-connect`)
      .set('Authorization', mockCredentials.service.header({ onBehalfOf: mockCredentials.service('another-service'), targetPluginId: 'orochi' }));
    expect({ status: denied.status, message: denied.body.error.message }).toEqual({
      status: 403,
      message: 'You may not orochi.cluster.wakeOnConnect for cluster resting-db',
    });
  });

  /**
   * The test API server serves no metrics API, so the kubernetes driver takes no samples here: the test writes the
   * samples of an idle primary (no session, no transaction) that the idle job reads.
   */
  async function recordIdleSamples(clusterId: string) {
    const now = Date.now();
    const rows = [];
    for (let at = now - 180_000; at <= now + 180_000; at += 10_000) {
      rows.push({ cluster_id: clusterId, sampled_at: at, connections: 0, active_sessions: 0, transactions_total: 42, cpu_seconds_total: 1, memory_bytes: 1 << 27, storage_bytes: 1 << 24 });
    }
    await orochiDatabase('cluster_metrics').insert(rows);
  }

  it('suspends an idle cluster, keeps its address, and wakes it when a client connects', async () => {
    const created = await change('post', '/clusters', { name: 'sleepy-db', owner: 'team-payments', scaleToZero: { enabled: true, idleMinutes: 1 } });
    await recordIdleSamples(created.id);
    const suspended = await eventually('the idle job suspends the cluster', async () => {
      await scheduler.triggerTask('orochi-suspend-idle');
      const cluster = (await request(server).get(`/api/orochi/clusters/${created.id}`)).body;
      return cluster.status === 'suspended' && !cluster.currentOperationId ? cluster : undefined;
    }, 150_000);
    expect(suspended.endpoints).toEqual([{ role: 'primary', host: `sleepy-db.${DOMAIN}`, port: 5432 }]);
    const cnpg: any = await testKubeConfig()
      .makeApiClient(CustomObjectsApi)
      .getNamespacedCustomObject({ group: 'postgresql.cnpg.io', version: 'v1', plural: 'clusters', namespace: `${namespacePrefix}team-payments`, name: 'sleepy-db' });
    expect(cnpg.metadata.annotations).toMatchObject({ 'cnpg.io/hibernation': 'on' });

    // The client is held while the cluster wakes, then relayed.
    expect(await query('sleepy-db')).toEqual([{ database: 'app' }]);
    expect((await request(server).get(`/api/orochi/clusters/${created.id}`)).body).toMatchObject({ status: 'ready' });
    const operations = (await request(server).get(`/api/orochi/clusters/${created.id}/operations`)).body.items;
    expect(operations.map((o: { type: string; requestedBy: string; state: string }) => [o.type, o.requestedBy, o.state])).toEqual([
      ['wake', 'orochi:wake-on-connect', 'succeeded'],
      ['suspend', 'orochi:idle', 'succeeded'],
      ['create', expect.any(String), 'succeeded'],
    ]);
  });
});
