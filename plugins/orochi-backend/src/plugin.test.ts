import { coreServices, createServiceFactory } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import request from 'supertest';
import orochiPlugin from '.';
import { spec } from './schema/openapi.generated';
import {
  connect,
  eventually,
  exampleEntities,
  isRunning,
  localDriverConfig,
  localDriverDirectory,
  serverPids,
  stopServers,
  openApiCheckedUrl,
  waitForOperation,
  testDatabaseServiceFactory,
} from '@orochi/test-utils';

/** Each plugin's SQLite database, which lets the Jest worker exit when its tests are done. */
const databaseFactory = testDatabaseServiceFactory();

jest.setTimeout(180_000);

describe('the Orochi API with the local driver', () => {
  const dataDirectory = localDriverDirectory();
  const auditor = mockServices.auditor.mock();
  const scheduler = mockServices.scheduler();
  let server: Server;

  beforeAll(async () => {
    ({ server } = await startTestBackend({
      features: [
        orochiPlugin,
        databaseFactory,
        mockServices.rootConfig.factory({ data: localDriverConfig(dataDirectory, { from: 56000, to: 56299 }) }),
        catalogServiceMock.factory({ entities: exampleEntities() }),
        auditor.factory,
        // Scheduled tasks (the metrics sampler) run when the test triggers them.
        createServiceFactory({ service: coreServices.scheduler, deps: {}, factory: () => scheduler }),
      ],
    }));
  });

  afterAll(() => {
    stopServers(dataDirectory);
    rmSync(dataDirectory, { recursive: true, force: true });
  });

  const auditedEvents = () => auditor.createEvent.mock.calls.map(([event]) => event.eventId);

  it('answers /health without credentials', async () => {
    const res = await request(server).get('/api/orochi/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('serves the offering with the host PostgreSQL version', async () => {
    const res = await request(server).get('/api/orochi/config');
    expect(res.status).toBe(200);
    expect(res.body.sizes.map((s: { name: string }) => s.name)).toEqual(['small', 'medium', 'large']);
    expect(res.body.versions).toHaveLength(1);
    expect(res.body.defaults).toMatchObject({ plan: 'pro', size: 'small', region: 'local' });
  });

  it('runs a real cluster through create, replicas, hibernate, wake and delete', async () => {
    // Create → the operation succeeds → a client connects with the revealed credentials.
    const created = await request(server)
      .post('/api/orochi/clusters')
      .send({ name: 'orders-db', owner: 'team-payments' });
    expect(created.status).toBe(202);
    expect(created.body.cluster).toMatchObject({ name: 'orders-db', owner: 'group:default/team-payments', status: 'provisioning' });
    const clusterId: string = created.body.cluster.id;
    expect(await waitForOperation(server, created.body.operation.id)).toMatchObject({ state: 'succeeded' });

    const ready = await request(server).get(`/api/orochi/clusters/${clusterId}`);
    expect(ready.body).toMatchObject({ status: 'ready', readyInstances: 1 });
    expect(ready.body.endpoints).toEqual([expect.objectContaining({ role: 'primary', host: 'localhost' })]);
    expect(JSON.stringify(ready.body)).not.toMatch(/password/i);

    const revealed = await request(server).get(`/api/orochi/clusters/${clusterId}/credentials`);
    expect(revealed.status).toBe(200);
    expect(revealed.headers['cache-control']).toBe('no-store');
    expect(revealed.body).toMatchObject({ database: 'app', user: 'app', port: ready.body.endpoints[0].port });
    expect(revealed.body.password).toHaveLength(32);
    let client = await connect(revealed.body);
    await client.query('CREATE TABLE orders (id int PRIMARY KEY, item text)');
    await client.query(`INSERT INTO orders VALUES (1, 'tea')`);

    // The sampler reads the primary's activity; the open session counts, Orochi's own do not.
    await scheduler.triggerTask('orochi-metrics');
    await client.query(`INSERT INTO orders SELECT g, 'bulk' FROM generate_series(2, 500) g`);
    // A session's counters reach pg_stat_database within a second or so of its commit.
    const point = await eventually('a sample that counts the insert', async () => {
      await scheduler.triggerTask('orochi-metrics');
      const metrics = await request(server).get(`/api/orochi/clusters/${clusterId}/metrics?minutes=5`);
      expect(metrics.status).toBe(200);
      return metrics.body.points.find((p: { transactionsPerSecond: number }) => p.transactionsPerSecond > 0);
    });
    expect(point).toMatchObject({ connections: 1 });
    expect(point.memoryBytes).toBeGreaterThan(1_000_000);
    expect(point.storageBytes).toBeGreaterThan(1_000_000);
    await client.end();

    // Scale to 2 instances → the primary streams to one standby.
    const scaled = await request(server).patch(`/api/orochi/clusters/${clusterId}`).send({ instances: 2 });
    expect(scaled.status).toBe(202);
    expect(scaled.body.cluster.status).toBe('updating');
    expect(await waitForOperation(server, scaled.body.operation.id)).toMatchObject({ state: 'succeeded' });
    const pids = serverPids(dataDirectory, clusterId);
    expect(pids).toHaveLength(2);
    client = await connect(revealed.body);
    const replication = await client.query('SELECT state FROM pg_stat_replication');
    expect(replication.rows).toEqual([{ state: 'streaming' }]);
    await client.end();

    // Hibernate → connections are refused; wake → the same data is there.
    const hibernating = await request(server).post(`/api/orochi/clusters/${clusterId}/hibernate`);
    expect(hibernating.status).toBe(202);
    expect(await waitForOperation(server, hibernating.body.operation.id)).toMatchObject({ state: 'succeeded' });
    expect((await request(server).get(`/api/orochi/clusters/${clusterId}`)).body).toMatchObject({ status: 'hibernated', hibernated: true });
    await expect(connect(revealed.body)).rejects.toThrow('cluster orders-db is hibernated by a user; wake it in Orochi to connect');
    expect(pids.filter(isRunning)).toEqual([]);

    const waking = await request(server).post(`/api/orochi/clusters/${clusterId}/wake`);
    expect(waking.status).toBe(202);
    expect(await waitForOperation(server, waking.body.operation.id)).toMatchObject({ state: 'succeeded' });
    client = await connect(revealed.body);
    expect((await client.query('SELECT item FROM orders WHERE id = 1')).rows).toEqual([{ item: 'tea' }]);
    expect((await client.query('SELECT count(*)::int AS n FROM orders')).rows).toEqual([{ n: 500 }]);
    await client.end();

    // Delete → no process and no data remain.
    const runningPids = serverPids(dataDirectory, clusterId);
    expect(runningPids.filter(isRunning)).toHaveLength(2);
    const deleting = await request(server).delete(`/api/orochi/clusters/${clusterId}`);
    expect(deleting.status).toBe(202);
    expect(await waitForOperation(server, deleting.body.operation.id)).toMatchObject({ state: 'succeeded' });
    expect(runningPids.filter(isRunning)).toEqual([]);
    expect(existsSync(join(dataDirectory, 'clusters', clusterId))).toBe(false);
    expect((await request(server).get(`/api/orochi/clusters/${clusterId}`)).status).toBe(404);

    const operations = await request(server).get(`/api/orochi/operations/${deleting.body.operation.id}`);
    expect(operations.body.steps.map((s: { name: string }) => s.name)).toEqual(['Stop servers', 'Remove data']);

    expect(auditedEvents()).toEqual([
      'cluster-create',
      'cluster-credentials-read',
      'cluster-update',
      'cluster-hibernate',
      'cluster-wake',
      'cluster-delete',
    ]);
  });

  it.each([
    [{ name: 'Orders_DB', owner: 'team-payments' }, /name: must be lowercase/],
    [{ name: 'orders-db', owner: 'team-payments', size: 'huge' }, /size: unknown size "huge"; one of small, medium, large/],
    [{ name: 'orders-db', owner: 'team-payments', instances: 0 }, /instances: must be at least 1/],
    [{ name: 'orders-db', owner: 'team-payments', storageGb: 0 }, /storageGb: must be at least 1 GB/],
    [{ name: 'orders-db', owner: 'team-payments', color: 'blue' }, /color/],
    [{ name: 'orders-db', owner: 'team-payments', instances: 'two' }, /instances/],
    [{ name: 'orders-db', owner: 'team-nobody' }, /owner: no such group in the catalog: group:default\/team-nobody/],
    [{ name: 'orders-db', owner: 'team-payments', autoscaling: { enabled: true, minCu: 1, maxCu: 64 } }, /autoscaling.maxCu: must be at most 4 CU/],
    [{ name: 'orders-db', owner: 'team-payments', autoscaling: { enabled: true, minCu: 0.5, maxCu: 2 } }, /autoscaling.minCu: must be at least 1 CU/],
    [{ name: 'orders-db', owner: 'team-payments', backups: { enabled: true, schedule: '0 */5 * * * *' } }, /backups.schedule: must run at most once an hour/],
    [{ name: 'orders-db', owner: 'user:default/pat' }, /owner: must be a group/],
    [{ name: 'orders-db' }, /owner/],
    [{ name: 'orders-db', owner: 'team-payments', pooling: { enabled: true } }, /pooling.enabled: this installation’s driver has no connection pooler/],
  ])('rejects %j with 400 naming the field, and creates nothing', async (body, message) => {
    const res = await request(server).post('/api/orochi/clusters').send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('InputError');
    expect(res.body.error.message).toMatch(message);
    expect((await request(server).get('/api/orochi/clusters')).body).toEqual({ items: [], totalCount: 0 });
  });

  it('rejects an update that names nothing to change or shrinks storage', async () => {
    const created = await request(server).post('/api/orochi/clusters').send({ name: 'audit-db', owner: 'team-search', storageGb: 5 });
    await waitForOperation(server, created.body.operation.id);
    const id = created.body.cluster.id;
    expect((await request(server).patch(`/api/orochi/clusters/${id}`).send({})).body.error.message).toMatch(/at least one of/);
    expect((await request(server).patch(`/api/orochi/clusters/${id}`).send({ storageGb: 2 })).body.error.message).toMatch(/storageGb: storage can only grow/);
    expect((await request(server).patch(`/api/orochi/clusters/${id}`).send({ owner: 'team-payments' })).body.error.message).toMatch(/owner/);

    // A second change while one is in progress is refused.
    const first = await request(server).post(`/api/orochi/clusters/${id}/hibernate`);
    const second = await request(server).patch(`/api/orochi/clusters/${id}`).send({ size: 'medium' });
    expect(second.status).toBe(409);
    expect(second.body.error.message).toMatch(/hibernate operation in progress/);
    await waitForOperation(server, first.body.operation.id);
    const deleted = await request(server).delete(`/api/orochi/clusters/${id}`);
    expect(await waitForOperation(server, deleted.body.operation.id)).toMatchObject({ state: 'succeeded' });
  });

  it('answers every route as the generated OpenAPI document says, errors included', async () => {
    const api = await openApiCheckedUrl(server, '/api/orochi', spec);
    const call = () => request(api);
    expect((await call().get('/health')).status).toBe(200);
    expect((await call().get('/config')).status).toBe(200);
    const created = await call().post('/clusters').send({ name: 'spec-db', owner: 'team-search' });
    expect(created.status).toBe(202);
    const id: string = created.body.cluster.id;
    await waitForOperation(server, created.body.operation.id);
    expect((await call().get(`/clusters?owner=team-search&status=ready&search=spec&limit=5&offset=0`)).body.totalCount).toBe(1);
    expect((await call().get(`/clusters/${id}`)).status).toBe(200);
    expect((await call().get(`/clusters/${id}/operations`)).body.items).toHaveLength(1);
    expect((await call().get(`/operations/${created.body.operation.id}`)).status).toBe(200);
    expect((await call().get(`/clusters/${id}/metrics?minutes=5`)).status).toBe(200);
    expect((await call().get(`/clusters/${id}/credentials`)).status).toBe(200);
    const updated = await call().patch(`/clusters/${id}`).send({ instances: 2 });
    expect(updated.body.operation).toMatchObject({ type: 'update', parameters: { from: { instances: 1 }, to: { instances: 2 } } });
    await waitForOperation(server, updated.body.operation.id);
    const hibernated = await call().post(`/clusters/${id}/hibernate`);
    await waitForOperation(server, hibernated.body.operation.id);
    const woken = await call().post(`/clusters/${id}/wake`);
    await waitForOperation(server, woken.body.operation.id);
    expect((await call().get('/orphans')).body).toEqual({ items: [] });
    // Errors are in the document too.
    expect((await call().post('/clusters').send({ name: 'Bad Name', owner: 'team-search' })).status).toBe(400);
    expect((await call().get('/clusters/no-such-id')).status).toBe(404);
    expect((await call().post(`/clusters/${id}/wake`)).status).toBe(409);
    const deleted = await call().delete(`/clusters/${id}`);
    expect(await waitForOperation(server, deleted.body.operation.id)).toMatchObject({ state: 'succeeded' });
  });

  it('answers 400, not 500, to an offset past what the database takes and to an Idempotency-Key of any bad length', async () => {
    const far = await request(server).get('/api/orochi/clusters?offset=99999999999999999999');
    expect(far.status).toBe(400);
    expect(far.body.error.message).toMatch(/offset: must be at most/);
    const past = await request(server).get('/api/orochi/clusters?offset=5000');
    expect(past.status).toBe(200);
    expect(past.body.items).toEqual([]);

    const long = await request(server).post('/api/orochi/clusters').set('Idempotency-Key', 'k'.repeat(201)).send({ name: 'key-db', owner: 'team-search' });
    expect(long.status).toBe(400);
    expect(long.body.error.message).toMatch(/idempotency-key must NOT have more than 200 characters/i);
    const empty = await request(server).post('/api/orochi/clusters').set('Idempotency-Key', '').send({ name: 'key-db', owner: 'team-search' });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toMatch(/Idempotency-Key: must be 1 to 200 printable ASCII characters/);
    // The longest allowed key fits, whoever sends it.
    const longest = await request(server).post('/api/orochi/clusters').set('Idempotency-Key', 'k'.repeat(200)).send({ name: 'key-db', owner: 'team-search' });
    expect(longest.status).toBe(202);
    await waitForOperation(server, longest.body.operation.id);
    const deleted = await request(server).delete(`/api/orochi/clusters/${longest.body.cluster.id}`);
    expect(await waitForOperation(server, deleted.body.operation.id)).toMatchObject({ state: 'succeeded' });
    expect((await request(server).get('/api/orochi/clusters')).body.totalCount).toBe(0);
  });

  it('answers a repeated Idempotency-Key with the first cluster', async () => {
    const send = () =>
      request(server).post('/api/orochi/clusters').set('Idempotency-Key', 'task-42').send({ name: 'retry-db', owner: 'team-search' });
    const first = await send();
    const second = await send();
    expect(second.status).toBe(202);
    expect(second.body.cluster.id).toBe(first.body.cluster.id);
    expect(second.body.operation.id).toBe(first.body.operation.id);
    await waitForOperation(server, first.body.operation.id);
    const deleted = await request(server).delete(`/api/orochi/clusters/${first.body.cluster.id}`);
    expect(await waitForOperation(server, deleted.body.operation.id)).toMatchObject({ state: 'succeeded' });
  });
});
