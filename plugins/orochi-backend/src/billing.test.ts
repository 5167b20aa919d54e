import { coreServices, createServiceFactory } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import orochiModuleStripe from '@orochi/backstage-plugin-orochi-backend-module-stripe';
import { eventually, exampleEntities, FakeStripe, instantDriverModule, testDatabaseServiceFactory, waitForOperation } from '@orochi/test-utils';
import type { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
// The plugin itself, not the package's feature loader: the test backend must see it among the modules' plugins.
import { orochiPlugin } from './plugin';

jest.setTimeout(120_000);

const databaseFactory = testDatabaseServiceFactory();

describe('billing through Stripe', () => {
  const fake = new FakeStripe();
  const scheduler = mockServices.scheduler();
  const auditor = mockServices.auditor.mock();
  let server: Server;
  let prices: { base: string; compute: string };

  beforeAll(async () => {
    await fake.start();
    // What a platform team sets up in Stripe once: a meter for compute and the Pro plan's prices.
    const pro = fake.createPlanPrices('pro', 29);
    prices = { base: pro.basePrice, compute: pro.meteredPrices[0] };

    ({ server } = await startTestBackend({
      features: [
        orochiPlugin,
        orochiModuleStripe,
        instantDriverModule,
        databaseFactory,
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://portal.example' },
            orochi: {
              driver: 'instant',
              defaults: { plan: 'free' },
              plans: [
                // Two CU-seconds of compute a month: a running cluster uses them up at once.
                { name: 'free', title: 'Free', monthlyPriceUsd: 0, limits: { maxClusters: 1, computeHours: 2 / 3600 } },
                { name: 'pro', title: 'Pro', monthlyPriceUsd: 29, limits: { computeHours: 1000 }, overage: { computeHourUsd: 0.1, storageGbUsd: 0.25 } },
              ],
              billing: {
                stripe: {
                  secretKey: fake.apiKey,
                  webhookSecret: fake.webhookSecret,
                  api: { host: '127.0.0.1', port: fake.port, protocol: 'http' },
                  maxNetworkRetries: 0,
                  plans: { pro: { basePrice: prices.base, meteredPrices: [prices.compute] } },
                },
              },
            },
          },
        }),
        catalogServiceMock.factory({ entities: exampleEntities() }),
        auditor.factory,
        // The jobs (usage, limits) run when the test triggers them.
        createServiceFactory({ service: coreServices.scheduler, deps: {}, factory: () => scheduler }),
      ],
    }));
  });

  afterAll(() => fake.stop());

  const webhookUrl = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/orochi/billing/webhook`;
  const account = async () => (await request(server).get('/api/orochi/billing/accounts/team-payments')).body;
  const cluster = async (id: string) => (await request(server).get(`/api/orochi/clusters/${id}`)).body;
  /** One round of the jobs billing runs on: metering, then the plan's and budget's limits. */
  async function billingRound() {
    await scheduler.triggerTask('orochi-usage');
    await scheduler.triggerTask('orochi-billing-limits');
  }

  it('suspends a Free team that used its compute hours, and wakes it once Stripe says it upgraded', async () => {
    const created = await request(server).post('/api/orochi/clusters').send({ name: 'orders-db', owner: 'team-payments' });
    expect(created.status).toBe(202);
    expect(created.body.cluster.plan).toBe('free');
    await waitForOperation(server, created.body.operation.id);
    const clusterId: string = created.body.cluster.id;

    const second = await request(server).post('/api/orochi/clusters').send({ name: 'search-db', owner: 'team-payments' });
    expect({ status: second.status, message: second.body.error?.message }).toEqual({
      status: 409,
      message: 'plan: the Free plan allows 1 cluster(s) per team and group:default/team-payments has 1',
    });

    // The cluster runs until its two CU-seconds are used, then billing suspends it.
    const suspended = await eventually('the cluster suspended by billing', async () => {
      await billingRound();
      const current = await cluster(clusterId);
      return current.billingSuspended === 'compute-hours' && current.currentOperationId === undefined ? current : undefined;
    });
    expect(suspended).toMatchObject({ status: 'hibernated', hibernated: true });
    expect((await account()).account.suspension).toMatchObject({ reason: 'compute-hours' });
    const operations = (await request(server).get(`/api/orochi/clusters/${clusterId}/operations`)).body.items;
    expect(operations[0]).toMatchObject({ type: 'hibernate', requestedBy: 'orochi:billing', state: 'succeeded' });
    const wake = await request(server).post(`/api/orochi/clusters/${clusterId}/wake`);
    expect({ status: wake.status, message: wake.body.error?.message }).toEqual({
      status: 409,
      message: expect.stringContaining("Free compute hours for this month are used up"),
    });

    // Upgrade: Checkout for the Pro plan's prices, paid at the fake, confirmed by a signed webhook.
    const checkout = await request(server).post('/api/orochi/billing/accounts/team-payments/checkout').send({ plan: 'pro' });
    expect(checkout.status).toBe(200);
    const sessionId = /\/c\/pay\/(cs_[^/?]+)/.exec(checkout.body.url)?.[1];
    expect(fake.checkoutSessions.get(sessionId!)).toMatchObject({
      mode: 'subscription',
      client_reference_id: 'group:default/team-payments',
      line_items: [{ price: prices.base, quantity: '1' }, { price: prices.compute }],
      success_url: 'http://portal.example/orochi/billing?checkout=success',
    });
    const completed = fake.completeCheckout(sessionId!);

    // A forged or mis-signed delivery is refused and changes nothing.
    expect(await fake.deliver(webhookUrl(), completed, { secret: 'whsec_wrong' })).toBe(401);
    expect((await account()).account.plan).toBe('free');

    expect(await fake.deliver(webhookUrl(), completed)).toBe(200);
    expect((await account()).account).toMatchObject({ plan: 'pro', subscription: { status: 'active' } });
    expect(auditor.createEvent).toHaveBeenCalledWith(expect.objectContaining({ eventId: 'billing-webhook' }));
    const woken = await eventually('the cluster woken by billing', async () => {
      await billingRound();
      const current = await cluster(clusterId);
      return current.status === 'ready' && !current.currentOperationId ? current : undefined;
    });
    expect(woken).not.toHaveProperty('billingSuspended');
    expect(woken.plan).toBe('pro');

    // Stripe delivers at least once: the same event again changes nothing, even after the plan moved on.
    await request(server).patch('/api/orochi/billing/accounts/team-payments').send({ plan: 'free' });
    expect(await fake.deliver(webhookUrl(), completed)).toBe(200);
    expect((await account()).account.plan).toBe('free');
    await request(server).patch('/api/orochi/billing/accounts/team-payments').send({ plan: 'pro' });
  });

  it('suspends the team at its budget with the hard stop on, and releases it when the budget is raised', async () => {
    const { items } = (await request(server).get('/api/orochi/clusters').query({ owner: 'team-payments' })).body;
    const clusterId: string = items[0].id;
    await eventually('the cluster ready', async () => ((await cluster(clusterId)).status === 'ready' ? true : undefined));

    // Pro's base price alone is $29: a $10 budget is spent.
    const set = await request(server)
      .patch('/api/orochi/billing/accounts/team-payments')
      .send({ budget: { monthlyUsd: 10, hardStop: true } });
    expect(set.body.budget).toEqual({ monthlyUsd: 10, alertThresholds: [0.5, 0.8, 1], hardStop: true });
    await eventually('the cluster suspended at the budget', async () => {
      await billingRound();
      const current = await cluster(clusterId);
      return current.billingSuspended === 'budget' && !current.currentOperationId ? true : undefined;
    });
    expect((await account()).invoice).toMatchObject({ baseUsd: 29, totalUsd: expect.any(Number) });

    await request(server).patch('/api/orochi/billing/accounts/team-payments').send({ budget: { monthlyUsd: 100, hardStop: true } });
    await eventually('the cluster released', async () => {
      await billingRound();
      const current = await cluster(clusterId);
      return current.status === 'ready' && !current.billingSuspended && !current.currentOperationId ? true : undefined;
    });
    expect((await account()).account).not.toHaveProperty('suspension');
  });

  it('answers usage per period like Neon’s consumption API, and refuses a bad query with the field', async () => {
    const usage = await request(server).get('/api/orochi/billing/accounts/team-payments/usage').query({ granularity: 'day' });
    expect(usage.status).toBe(200);
    expect(usage.body.granularity).toBe('day');
    expect(usage.body.periods.at(-1).usage.compute_unit_seconds).toBeGreaterThanOrEqual(2);

    const bad = await request(server).get('/api/orochi/billing/accounts/team-payments/usage').query({ granularity: 'week' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/granularity/);
  });
});
