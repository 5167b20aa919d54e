import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { FakeStripe } from './FakeStripe';

/** The real stripe SDK against the fake: the wire format is what the SDK itself sends and reads. */
describe('FakeStripe', () => {
  let fake: FakeStripe;
  let stripe: Stripe;

  beforeAll(async () => {
    fake = await new FakeStripe().start();
    stripe = new Stripe(fake.apiKey, { ...fake.sdkOptions(), maxNetworkRetries: 0 });
  });

  afterAll(() => fake.stop());

  it('creates and reads customers, and answers 404 in Stripe’s shape for one that does not exist', async () => {
    const customer = await stripe.customers.create({ name: 'team-payments', metadata: { group: 'group:default/team-payments' } });
    expect(customer).toMatchObject({ object: 'customer', id: expect.stringMatching(/^cus_/), name: 'team-payments', metadata: { group: 'group:default/team-payments' } });
    expect(await stripe.customers.retrieve(customer.id)).toMatchObject({ id: customer.id });
    const missing = await stripe.customers.retrieve('cus_missing').catch(error => error);
    expect(missing).toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 404, code: 'resource_missing' });
    expect(missing.raw.message).toBe("No such customer: 'cus_missing'");
  });

  it('refuses a wrong API key with 401', async () => {
    const stranger = new Stripe('sk_test_wrong0000', { ...fake.sdkOptions(), maxNetworkRetries: 0 });
    await expect(stranger.customers.create({})).rejects.toMatchObject({ type: 'StripeAuthenticationError', statusCode: 401 });
  });

  it('creates meters and lists them page by page', async () => {
    for (const name of ['compute_unit_seconds', 'storage_bytes_hour', 'branch_hours']) {
      await stripe.billing.meters.create({ display_name: name, event_name: name, default_aggregation: { formula: 'sum' } });
    }
    const names: string[] = [];
    for await (const meter of stripe.billing.meters.list({ limit: 2 })) names.push(meter.event_name);
    expect(names).toEqual(['compute_unit_seconds', 'storage_bytes_hour', 'branch_hours']);
    await expect(stripe.billing.meters.create({ display_name: 'x', event_name: 'x' } as any)).rejects.toMatchObject({
      statusCode: 400,
      code: 'parameter_missing',
      param: 'default_aggregation[formula]',
    });
  });

  it('records a meter event once per identifier and refuses the second with Stripe-Should-Retry: false', async () => {
    const customer = await stripe.customers.create({});
    const event = { event_name: 'compute_unit_seconds', identifier: 'acct-1:compute:2026-12-03T10', payload: { stripe_customer_id: customer.id, value: '3600' } };
    expect(await stripe.billing.meterEvents.create(event)).toMatchObject({ object: 'billing.meter_event', identifier: event.identifier, payload: event.payload });
    const again = await stripe.billing.meterEvents.create(event).catch(error => error);
    expect(again).toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 400 });
    expect(again.raw.message).toBe(`An event already exists with identifier ${event.identifier}.`);
    expect(again.headers['stripe-should-retry']).toBe('false');
    expect([...fake.ledger.events.values()].filter(e => e.identifier === event.identifier)).toHaveLength(1);
    await expect(stripe.billing.meterEvents.create({ ...event, identifier: 'x', payload: { ...event.payload, value: '1.5' } })).rejects.toMatchObject({ param: 'payload[value]' });
  });

  it('replays an idempotent request, even one whose answer was lost, and refuses the key with other parameters', async () => {
    const key = 'orochi-test-key-1';
    const before = fake.customers.size;
    // The customer is created and the answer lost; the SDK retries a closed connection once with the same key.
    fake.inject({ kind: 'lost' }, '/v1/customers');
    const created = await stripe.customers.create({ name: 'lost' }, { idempotencyKey: key });
    expect(created.lastResponse.headers['idempotent-replayed']).toBe('true');
    const replayed = await stripe.customers.create({ name: 'lost' }, { idempotencyKey: key });
    expect(replayed.id).toBe(created.id);
    expect(fake.customers.size).toBe(before + 1);
    await expect(stripe.customers.create({ name: 'other' }, { idempotencyKey: key })).rejects.toMatchObject({ type: 'StripeIdempotencyError', statusCode: 400 });
  });

  it('injects 5xx and 429, which the SDK raises as Stripe raises them', async () => {
    fake.inject({ kind: 'status', status: 503 });
    await expect(stripe.customers.create({})).rejects.toMatchObject({ type: 'StripeAPIError', statusCode: 503 });
    fake.inject({ kind: 'status', status: 429 });
    await expect(stripe.customers.create({})).rejects.toMatchObject({ type: 'StripeRateLimitError', statusCode: 429, code: 'rate_limit' });
    // The SDK retries a 5xx with the same idempotency key, and the second attempt is answered.
    const retrying = new Stripe(fake.apiKey, { ...fake.sdkOptions(), maxNetworkRetries: 1 });
    fake.inject({ kind: 'status', status: 500 });
    await expect(retrying.customers.create({ name: 'retried' })).resolves.toMatchObject({ name: 'retried' });
  });

  it('never answers an injected timeout: the client gives up', async () => {
    const impatient = new Stripe(fake.apiKey, { ...fake.sdkOptions(), maxNetworkRetries: 0, timeout: 200 });
    fake.inject({ kind: 'timeout' });
    await expect(impatient.customers.create({})).rejects.toMatchObject({ type: 'StripeConnectionError' });
  });

  it('opens checkout and portal sessions with URLs on the fake', async () => {
    const customer = await stripe.customers.create({});
    const checkout = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      client_reference_id: 'group:default/team-payments',
      line_items: [{ price: 'price_pro' }],
      success_url: 'http://localhost:3000/orochi/billing?done=1',
    });
    expect(checkout).toMatchObject({ object: 'checkout.session', mode: 'subscription', status: 'open', url: expect.stringContaining(`127.0.0.1:${fake.port}`) });
    const portal = await stripe.billingPortal.sessions.create({ customer: customer.id, return_url: 'http://localhost:3000/orochi/billing' });
    expect(portal).toMatchObject({ object: 'billing_portal.session', customer: customer.id, url: expect.any(String) });
  });

  it('signs webhook events as Stripe does: the SDK verifies them, and refuses a wrong secret', () => {
    const payload = JSON.stringify(fake.event('invoice.paid', { id: 'in_1', object: 'invoice' }));
    const header = fake.signature(payload);
    expect(stripe.webhooks.constructEvent(payload, header, fake.webhookSecret)).toMatchObject({ type: 'invoice.paid' });
    expect(() => stripe.webhooks.constructEvent(payload, header, 'whsec_wrong')).toThrow(/No signatures found matching/);
  });

  it('sums meter events per customer and hour, cancels one by adjustment, and takes v2 events too', async () => {
    const customer = await stripe.customers.create({});
    const meter = await stripe.billing.meters.create({ display_name: 'CU', event_name: 'cu_hours_test', default_aggregation: { formula: 'sum' } });
    const hour = Math.floor(Date.now() / 3_600_000) * 3600 - 7200;
    const send = (identifier: string, value: string, timestamp: number) =>
      stripe.billing.meterEvents.create({ event_name: 'cu_hours_test', identifier, timestamp, payload: { stripe_customer_id: customer.id, value } });
    await send('a', '10', hour + 60);
    await send('b', '5', hour + 3600 + 60);
    await send('c', '7', hour + 3600 + 120);
    await stripe.v2.billing.meterEvents.create({
      event_name: 'cu_hours_test',
      identifier: 'd',
      timestamp: new Date((hour + 3600 + 180) * 1000).toISOString(),
      payload: { stripe_customer_id: customer.id, value: '1' },
    });
    await expect(stripe.billing.meterEventAdjustments.create({ event_name: 'cu_hours_test', type: 'cancel', cancel: { identifier: 'c' } })).resolves.toMatchObject({
      object: 'billing.meter_event_adjustment',
      status: 'complete',
      cancel: { identifier: 'c' },
    });
    const summaries = await stripe.billing.meters.listEventSummaries(meter.id, { customer: customer.id, start_time: hour, end_time: hour + 7200, value_grouping_window: 'hour' });
    expect(summaries.data.map(s => [s.start_time - hour, s.aggregated_value])).toEqual([[0, 10], [3600, 6]]);
  });

  it('completes a checkout into a subscription and delivers the signed event to a webhook endpoint', async () => {
    const customer = await stripe.customers.create({});
    const session = await stripe.checkout.sessions.create({ mode: 'subscription', customer: customer.id, line_items: [{ price: 'price_team' }], success_url: 'http://localhost/ok' });
    const received: Array<{ signature: string; body: string }> = [];
    const endpoint = createServer((req, res) => {
      let body = '';
      req.on('data', chunk => (body += chunk));
      req.on('end', () => {
        received.push({ signature: String(req.headers['stripe-signature']), body });
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>(resolve => endpoint.listen(0, '127.0.0.1', resolve));
    try {
      const event = fake.completeCheckout(session.id);
      const status = await fake.deliver(`http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/webhook`, event);
      expect(status).toBe(200);
      const verified = stripe.webhooks.constructEvent(received[0].body, received[0].signature, fake.webhookSecret);
      expect(verified).toMatchObject({ type: 'checkout.session.completed', data: { object: { id: session.id, status: 'complete', customer: customer.id } } });
      const subscriptionId = (verified.data.object as Stripe.Checkout.Session).subscription as string;
      const subscription = await stripe.subscriptions.retrieve(subscriptionId);
      expect(subscription).toMatchObject({ status: 'active', customer: customer.id });
      expect(subscription.items.data.map(item => item.price.id)).toEqual(['price_team']);
    } finally {
      await new Promise(resolve => endpoint.close(resolve));
    }
  });
});
