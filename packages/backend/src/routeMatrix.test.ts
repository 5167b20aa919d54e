import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import permissionPlugin from '@backstage/plugin-permission-backend';
import { orochiPlugin } from '@orochi/backstage-plugin-orochi-backend';
import orochiModuleStripe from '@orochi/backstage-plugin-orochi-backend-module-stripe';
import { apiRoutes } from '@orochi/backstage-plugin-orochi-common';
import {
  exampleEntities,
  exampleOrgUserInfoFactory,
  FakeStripe,
  instantDriverModule,
  onBehalfOfMockAuthFactory,
  testDatabaseServiceFactory,
  waitForOperation,
} from '@orochi/test-utils';
import type { Server } from 'node:http';
import request from 'supertest';
import permissionPolicyModule from './modules/permissionPolicy';

jest.setTimeout(300_000);

const ROLES = ['admin', 'owner', 'otherTeam', 'noTeam', 'readService', 'service', 'anonymous'] as const;
type Role = (typeof ROLES)[number];

/** What each caller gets: `allow` passes authorization (whatever the request then meets), `deny` is 403, `unauth` 401. */
type Decision = 'allow' | 'deny' | 'unauth';

const AUTHORIZATION: Record<Role, string | undefined> = {
  admin: mockCredentials.user.header('user:default/ada'),
  owner: mockCredentials.user.header('user:default/pat'),
  otherTeam: mockCredentials.user.header('user:default/sam'),
  // Signed in, in no team: owns nothing.
  noTeam: mockCredentials.user.header('user:default/nobody'),
  readService: mockCredentials.service.header({
    onBehalfOf: mockCredentials.service('external:reporting', { permissionAttributes: { action: ['read'] } }),
    targetPluginId: 'orochi',
  }),
  service: mockCredentials.service.header({ onBehalfOf: mockCredentials.service('external:unconfigured'), targetPluginId: 'orochi' }),
  anonymous: undefined,
};

const everyone: Record<Role, Decision> = { admin: 'allow', owner: 'allow', otherTeam: 'allow', noTeam: 'allow', readService: 'allow', service: 'allow', anonymous: 'allow' };
const signedIn: Record<Role, Decision> = { ...everyone, anonymous: 'unauth' };
const owners: Record<Role, Decision> = { admin: 'allow', owner: 'allow', otherTeam: 'deny', noTeam: 'deny', readService: 'deny', service: 'deny', anonymous: 'unauth' };
const admins: Record<Role, Decision> = { ...owners, owner: 'deny' };
/** Reads of a team's billing: its members and admins, and any service (services may read). */
const billingReaders: Record<Role, Decision> = { ...owners, readService: 'allow', service: 'allow' };
/** The webhook needs no token: the provider's signature decides, and a request without it is 401 for everyone. */
const signatureOnly: Record<Role, Decision> = { admin: 'unauth', owner: 'unauth', otherTeam: 'unauth', noTeam: 'unauth', readService: 'unauth', service: 'unauth', anonymous: 'unauth' };

/** The expected decision of every route for every caller, under the portal's policy. A new route needs its row. */
const EXPECTED: Record<string, Record<Role, Decision>> = {
  GetHealth: everyone,
  GetOffering: signedIn,
  ListClusters: signedIn,
  CreateCluster: owners,
  GetCluster: signedIn,
  UpdateCluster: owners,
  DeleteCluster: owners,
  HibernateCluster: owners,
  WakeCluster: owners,
  WakeClusterOnConnect: owners,
  ListClusterOperations: signedIn,
  GetClusterMetrics: signedIn,
  ListAutoscalingDecisions: signedIn,
  RevealCredentials: owners,
  BackupCluster: owners,
  ListClusterBackups: signedIn,
  GetRecoveryWindow: signedIn,
  RestoreCluster: owners,
  CreateBranch: owners,
  ListBranches: signedIn,
  GetOperation: signedIn,
  ListOrphans: admins,
  ListDeletedClusters: admins,
  RestoreDeletedCluster: admins,
  GetClusterUsage: billingReaders,
  GetBillingAccount: billingReaders,
  UpdateBillingAccount: owners,
  GetAccountUsage: billingReaders,
  GetAccountClusterUsage: billingReaders,
  CreateCheckout: owners,
  CreateBillingPortal: owners,
  ReceiveBillingWebhook: signatureOnly,
};

const decisionOf = (status: number): Decision => {
  if (status === 401) return 'unauth';
  return status === 403 ? 'deny' : 'allow';
};

let names = 0;
const newName = () => `matrix-${++names}`;

/** A valid body for each route that takes one, so that authorization is what decides. */
const BODIES: Record<string, () => object> = {
  CreateCluster: () => ({ name: newName(), owner: 'team-payments' }),
  UpdateCluster: () => ({ storageGb: 2 }),
  RestoreCluster: () => ({ name: newName() }),
  CreateBranch: () => ({ name: newName() }),
  RestoreDeletedCluster: () => ({ name: newName() }),
  UpdateBillingAccount: () => ({ budget: { monthlyUsd: 500 } }),
  CreateCheckout: () => ({ plan: 'team' }),
  ReceiveBillingWebhook: () => ({ id: 'evt_matrix', type: 'invoice.paid' }),
};

describe('every route for every caller, under the portal’s policy', () => {
  const stripe = new FakeStripe();
  let server: Server;

  beforeAll(async () => {
    await stripe.start();
    ({ server } = await startTestBackend({
      features: [
        orochiPlugin,
        orochiModuleStripe,
        instantDriverModule,
        testDatabaseServiceFactory(),
        permissionPlugin,
        permissionPolicyModule,
        permissionsServiceFactory,
        onBehalfOfMockAuthFactory(),
        // A request without a token is anonymous (the mock would otherwise sign it in as a default user).
        mockServices.httpAuth.factory({ defaultCredentials: mockCredentials.none() }),
        exampleOrgUserInfoFactory(),
        catalogServiceMock.factory({ entities: exampleEntities() }),
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            orochi: {
              driver: 'instant',
              // A team without quotas: the test makes a cluster for every request.
              defaults: { plan: 'enterprise' },
              billing: {
                stripe: {
                  secretKey: stripe.apiKey,
                  webhookSecret: stripe.webhookSecret,
                  api: { host: '127.0.0.1', port: stripe.port, protocol: 'http' },
                  maxNetworkRetries: 0,
                  plans: { team: stripe.createPlanPrices('team', 99) },
                },
              },
            },
          },
        }),
      ],
    }));
  });

  afterAll(() => stripe.stop());

  /** A new ready cluster of team-payments for one request, so what one caller changes no other sees. */
  async function fixture() {
    const created = await request(server)
      .post('/api/orochi/clusters')
      .set('Authorization', AUTHORIZATION.admin!)
      .send({ name: newName(), owner: 'team-payments' });
    expect(created.status).toBe(202);
    await waitForOperation(server, created.body.operation.id, AUTHORIZATION.admin);
    return { clusterId: created.body.cluster.id as string, operationId: created.body.operation.id as string };
  }

  it('has a row for every route of the API', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(apiRoutes.map(r => r.operationId).sort());
  });

  it('decides as the table says, and never fails with a 5xx', async () => {
    const actual: Record<string, Record<Role, Decision>> = {};
    const unexpected: string[] = [];
    for (const route of apiRoutes) {
      actual[route.operationId] = {} as Record<Role, Decision>;
      for (const role of ROLES) {
        const ids = route.path.includes('{clusterId}') || route.path.includes('{operationId}') ? await fixture() : undefined;
        const path = route.path
          .replace('{clusterId}', ids?.clusterId ?? '')
          .replace('{operationId}', ids?.operationId ?? '')
          .replace('{group}', 'team-payments');
        let call = request(server)[route.method](`/api/orochi${path}`);
        const authorization = AUTHORIZATION[role];
        if (authorization) call = call.set('Authorization', authorization);
        const body = BODIES[route.operationId];
        const res = await (body ? call.send(body()) : call);
        if (res.status >= 500) unexpected.push(`${route.operationId} as ${role}: ${res.status} ${JSON.stringify(res.body)}`);
        actual[route.operationId][role] = decisionOf(res.status);
      }
    }
    const width = Math.max(...Object.keys(actual).map(k => k.length));
    // eslint-disable-next-line no-console
    console.log(
      [
        `${''.padEnd(width)}  ${ROLES.map(r => r.padEnd(11)).join(' ')}`,
        ...Object.entries(actual).map(([id, row]) => `${id.padEnd(width)}  ${ROLES.map(r => row[r].padEnd(11)).join(' ')}`),
      ].join('\n'),
    );
    expect(unexpected).toEqual([]);
    expect(actual).toEqual(EXPECTED);
  });
});
