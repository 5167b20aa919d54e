import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  exampleEntities,
  exampleOrgUserInfoFactory,
  onBehalfOfMockAuthFactory,
  localDriverConfig,
  localDriverDirectory,
  stopServers,
  waitForOperation,
  testDatabaseServiceFactory,
} from '@orochi/test-utils';
import type { Server } from 'node:http';
import { rmSync } from 'node:fs';
import request from 'supertest';
import orochiPlugin from '@orochi/backstage-plugin-orochi-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import permissionPolicyModule from './modules/permissionPolicy';

/** Each plugin's SQLite database, which lets the Jest worker exit when its tests are done. */
const databaseFactory = testDatabaseServiceFactory();

jest.setTimeout(120_000);

const as = (user: string) => mockCredentials.user.header(`user:default/${user}`);

/** A service token, as a static external-access token would authenticate, with its restrictions if any. */
const asService = (subject: string, accessRestrictions?: Parameters<typeof mockCredentials.service>[1]) =>
  mockCredentials.service.header({
    onBehalfOf: mockCredentials.service(subject, accessRestrictions),
    targetPluginId: 'orochi',
  });

/**
 * Orochi behind the portal's real permission policy: the permission backend decides, with ownership resolved
 * from the example org (pat is in team-payments, sam in team-search, ada in platform-admins).
 */
async function startPortalBackend(dataDirectory: string, orochi: Record<string, unknown> = {}) {
  const auditor = mockServices.auditor.mock();
  const config = localDriverConfig(dataDirectory, { from: 56600, to: 56899 });
  const { server } = await startTestBackend({
    features: [
      orochiPlugin,
      databaseFactory,
      permissionPlugin,
      permissionPolicyModule,
      permissionsServiceFactory,
      onBehalfOfMockAuthFactory(),
      exampleOrgUserInfoFactory(),
      catalogServiceMock.factory({ entities: exampleEntities() }),
      auditor.factory,
      mockServices.rootConfig.factory({
        data: { permission: { enabled: true }, orochi: { ...config.orochi, ...orochi } },
      }),
    ],
  });
  return { server, auditor };
}

async function createCluster(server: Server, user: string, body: object) {
  const res = await request(server).post('/api/orochi/clusters').set('Authorization', as(user)).send(body);
  expect(res.status).toBe(202);
  await waitForOperation(server, res.body.operation.id, as(user));
  return res.body.cluster.id as string;
}

describe('Orochi under the portal permission policy', () => {
  const dataDirectory = localDriverDirectory();
  afterAll(() => {
    stopServers(dataDirectory);
    rmSync(dataDirectory, { recursive: true, force: true });
  });

  it('lets owners and platform admins manage a cluster and everyone else only read it', async () => {
    const { server, auditor } = await startPortalBackend(dataDirectory);

    const refused = await request(server)
      .post('/api/orochi/clusters')
      .set('Authorization', as('pat'))
      .send({ name: 'search-index', owner: 'team-search' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/orochi.cluster.create/);

    const id = await createCluster(server, 'pat', { name: 'payments-db', owner: 'team-payments' });

    // sam is not an owner: reads the cluster, gets no credentials and cannot change it.
    const read = await request(server).get(`/api/orochi/clusters/${id}`).set('Authorization', as('sam'));
    expect(read.status).toBe(200);
    for (const [method, path, body] of [
      ['get', `/api/orochi/clusters/${id}/credentials`, undefined],
      ['patch', `/api/orochi/clusters/${id}`, { size: 'medium' }],
      ['post', `/api/orochi/clusters/${id}/hibernate`, undefined],
      ['delete', `/api/orochi/clusters/${id}`, undefined],
    ] as const) {
      const res = await request(server)[method](path).set('Authorization', as('sam')).send(body);
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 403 });
    }
    expect((await request(server).get(`/api/orochi/clusters/${id}`).set('Authorization', as('sam'))).body.status).toBe('ready');

    // The owner and a platform admin may.
    const ownerCredentials = await request(server).get(`/api/orochi/clusters/${id}/credentials`).set('Authorization', as('pat'));
    expect(ownerCredentials.status).toBe(200);
    expect(ownerCredentials.body.password).toEqual(expect.any(String));
    const adminCredentials = await request(server).get(`/api/orochi/clusters/${id}/credentials`).set('Authorization', as('ada'));
    expect(adminCredentials.body.password).toBe(ownerCredentials.body.password);

    const deleted = await request(server).delete(`/api/orochi/clusters/${id}`).set('Authorization', as('ada'));
    expect(deleted.status).toBe(202);
    expect(await waitForOperation(server, deleted.body.operation.id, as('ada'))).toMatchObject({ state: 'succeeded' });

    // Refusals are audited as failures, successes as successes.
    const events = auditor.createEvent.mock.calls.map(([e]) => `${e.eventId}:${e.severityLevel}`);
    expect(events).toEqual([
      'cluster-create:medium',
      'cluster-create:medium',
      'cluster-credentials-read:high',
      'cluster-update:medium',
      'cluster-hibernate:medium',
      'cluster-delete:high',
      'cluster-credentials-read:high',
      'cluster-credentials-read:high',
      'cluster-delete:high',
    ]);
    const outcomes = await Promise.all(auditor.createEvent.mock.results.map(r => r.value));
    expect(outcomes.map(o => (o.fail.mock.calls.length ? 'fail' : 'success'))).toEqual([
      'fail', 'success', 'fail', 'fail', 'fail', 'fail', 'success', 'success', 'success',
    ]);

    // Its kept backups are for platform admins to restore from, not for its former owners.
    for (const [method, path] of [
      ['get', '/api/orochi/deleted-clusters'],
      ['post', `/api/orochi/deleted-clusters/${id}/restore`],
    ] as const) {
      const res = await request(server)[method](path).set('Authorization', as('pat')).send({ name: 'payments-db' });
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
    }
    const kept = await request(server).get('/api/orochi/deleted-clusters').set('Authorization', as('ada'));
    expect(kept.body.items.map((d: { cluster: { id: string } }) => d.cluster.id)).toContain(id);
  });

  it('lets only those who may read a cluster’s data copy it, into a team they may create clusters for', async () => {
    const { server, auditor } = await startPortalBackend(dataDirectory);
    const id = await createCluster(server, 'pat', { name: 'ledger-db', owner: 'team-payments' });
    const branch = (user: string, body: object) =>
      request(server).post(`/api/orochi/clusters/${id}/branches`).set('Authorization', as(user)).send(body);

    // sam may read the cluster but not its data: no branch, no backup.
    const bySam = await branch('sam', { name: 'ledger-copy', owner: 'team-search' });
    expect(bySam.status).toBe(403);
    expect(bySam.body.error.message).toBe('You may not orochi.cluster.credentials.read for cluster ledger-db');
    const backupBySam = await request(server).post(`/api/orochi/clusters/${id}/backups`).set('Authorization', as('sam'));
    expect(backupBySam.status).toBe(403);
    // pat owns the data but may not create clusters for team-search.
    const intoSearch = await branch('pat', { name: 'ledger-copy', owner: 'team-search' });
    expect(intoSearch.status).toBe(403);
    expect(intoSearch.body.error.message).toBe('You may not orochi.cluster.create for cluster ledger-copy');

    const byPat = await branch('pat', { name: 'ledger-pr-1', ttlHours: 1 });
    expect(byPat.status).toBe(202);
    expect(await waitForOperation(server, byPat.body.operation.id, as('pat'))).toMatchObject({ state: 'succeeded' });
    const events = auditor.createEvent.mock.calls.map(([e]) => e.eventId);
    expect(events.filter(e => e === 'cluster-branch-create')).toHaveLength(3);

    for (const target of [byPat.body.cluster.id, id]) {
      const deleted = await request(server).delete(`/api/orochi/clusters/${target}`).set('Authorization', as('pat'));
      expect(await waitForOperation(server, deleted.body.operation.id, as('pat'))).toMatchObject({ state: 'succeeded' });
    }
  });

  it('filters lists by the policy when clusters are visible to their owners only', async () => {
    const { server } = await startPortalBackend(dataDirectory, { clusterVisibility: 'owners' });
    const paymentsId = await createCluster(server, 'pat', { name: 'ledger-db', owner: 'team-payments' });
    const searchId = await createCluster(server, 'sam', { name: 'catalog-db', owner: 'team-search' });

    const names = async (user: string) =>
      (await request(server).get('/api/orochi/clusters').set('Authorization', as(user))).body.items.map(
        (c: { name: string }) => c.name,
      );
    expect(await names('pat')).toEqual(['ledger-db']);
    expect(await names('sam')).toEqual(['catalog-db']);
    expect(await names('ada')).toEqual(['catalog-db', 'ledger-db']);
    // Another team's cluster answers as if it did not exist, and its name appears in no error.
    for (const path of [`/api/orochi/clusters/${searchId}`, `/api/orochi/clusters/${searchId}/credentials`]) {
      const hidden = await request(server).get(path).set('Authorization', as('pat'));
      expect(hidden.status).toBe(404);
      expect(JSON.stringify(hidden.body)).not.toContain('catalog-db');
    }
    const hiddenDelete = await request(server).delete(`/api/orochi/clusters/${searchId}`).set('Authorization', as('pat'));
    expect(hiddenDelete.status).toBe(404);

    for (const id of [paymentsId, searchId]) {
      const res = await request(server).delete(`/api/orochi/clusters/${id}`).set('Authorization', as('ada'));
      await waitForOperation(server, res.body.operation.id, as('ada'));
    }
  });

  it('lets services read; only users and services named in config change clusters or reveal credentials', async () => {
    const { server } = await startPortalBackend(dataDirectory, {
      serviceAccess: [{ subject: 'orochi-ci', permissions: ['orochi.cluster.create', 'orochi.cluster.credentials.read', 'orochi.cluster.delete'] }],
    });
    const id = await createCluster(server, 'pat', { name: 'service-db', owner: 'team-payments' });
    const readOnly = asService('reporting', { permissionAttributes: { action: ['read'] } });
    const plugin = asService('plugin:catalog');

    // Reads are open to services: the catalog provider lists clusters.
    for (const who of [readOnly, plugin]) {
      expect((await request(server).get('/api/orochi/clusters').set('Authorization', who)).body.totalCount).toBe(1);
      expect((await request(server).get(`/api/orochi/clusters/${id}`).set('Authorization', who)).status).toBe(200);
    }
    // A token restricted to reads and a plugin token named nowhere get no password and change nothing.
    for (const who of [readOnly, plugin]) {
      for (const [method, path, body] of [
        ['get', `/api/orochi/clusters/${id}/credentials`, undefined],
        ['patch', `/api/orochi/clusters/${id}`, { instances: 2 }],
        ['post', `/api/orochi/clusters/${id}/hibernate`, undefined],
        ['delete', `/api/orochi/clusters/${id}`, undefined],
        ['post', '/api/orochi/clusters', { name: 'sneaky-db', owner: 'team-payments' }],
      ] as const) {
        const res = await request(server)[method](path).set('Authorization', who).send(body);
        expect({ method, path, status: res.status }).toEqual({ method, path, status: 403 });
      }
    }
    const unchanged = await request(server).get(`/api/orochi/clusters/${id}`).set('Authorization', as('pat'));
    expect(unchanged.body).toMatchObject({ instances: 1, hibernated: false, status: 'ready' });
    expect(unchanged.body.currentOperationId).toBeUndefined();

    // The service named in config may do what it is named for, and nothing else.
    const ci = asService('orochi-ci');
    const revealed = await request(server).get(`/api/orochi/clusters/${id}/credentials`).set('Authorization', ci);
    expect(revealed.status).toBe(200);
    expect(revealed.body.password).toEqual(expect.any(String));
    expect((await request(server).post(`/api/orochi/clusters/${id}/hibernate`).set('Authorization', ci)).status).toBe(403);
    const deleted = await request(server).delete(`/api/orochi/clusters/${id}`).set('Authorization', ci);
    expect(deleted.status).toBe(202);
    await waitForOperation(server, deleted.body.operation.id, as('pat'));
  });

  it('lets members read their own team’s billing and only admins set a plan without payment', async () => {
    const { server, auditor } = await startPortalBackend(dataDirectory);
    const account = (user: string, team: string) =>
      request(server).get(`/api/orochi/billing/accounts/${team}`).set('Authorization', as(user));
    expect((await account('pat', 'team-payments')).body).toMatchObject({ account: { group: 'group:default/team-payments', plan: 'pro' } });
    expect((await account('pat', 'team-search')).status).toBe(403);
    expect((await account('ada', 'team-search')).status).toBe(200);

    const setPlan = (user: string) =>
      request(server).patch('/api/orochi/billing/accounts/team-payments').set('Authorization', as(user)).send({ plan: 'enterprise' });
    const refused = await setPlan('pat');
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/orochi.billing.plan.set/);
    expect((await account('pat', 'team-payments')).body.account.plan).toBe('pro');
    expect((await setPlan('ada')).body).toMatchObject({ group: 'group:default/team-payments', plan: 'enterprise' });
    expect(auditor.createEvent).toHaveBeenCalledWith(expect.objectContaining({ eventId: 'billing-account-update' }));

    // A cluster has its team's plan; the request no longer names one.
    const named = await request(server)
      .post('/api/orochi/clusters')
      .set('Authorization', as('pat'))
      .send({ name: 'big-db', owner: 'team-payments', plan: 'free' });
    expect({ status: named.status, message: named.body.error?.message }).toEqual({ status: 400, message: expect.stringMatching(/plan/) });
    const id = await createCluster(server, 'pat', { name: 'big-db', owner: 'team-payments' });
    expect((await request(server).get(`/api/orochi/clusters/${id}`).set('Authorization', as('pat'))).body.plan).toBe('enterprise');
    const deleted = await request(server).delete(`/api/orochi/clusters/${id}`).set('Authorization', as('pat'));
    await waitForOperation(server, deleted.body.operation.id, as('pat'));
  });
});
