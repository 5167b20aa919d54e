import { AuthenticationError, InputError } from '@backstage/errors';
import { FakeStripe } from '@orochi/test-utils';
import { StripeBillingProvider } from './StripeBillingProvider';

describe('StripeBillingProvider', () => {
  const fake = new FakeStripe();
  beforeAll(() => fake.start());
  afterAll(() => fake.stop());

  const provider = (plans: Array<[string, { basePrice?: string; meteredPrices: string[] }]> = []) =>
    new StripeBillingProvider({
      secretKey: fake.apiKey,
      webhookSecret: fake.webhookSecret,
      plans: new Map(plans),
      meterEventPrefix: 'orochi_',
      timeoutMs: 2000,
      maxNetworkRetries: 0,
      api: { host: '127.0.0.1', port: fake.port, protocol: 'http' },
    });

  it('creates the meters that are missing and says which configured prices are wrong', async () => {
    const pro = fake.createPlanPrices('pro', 29);
    const problems = await provider([
      ['pro', pro],
      ['team', { basePrice: 'price_missing', meteredPrices: [pro.basePrice] }],
    ]).checkSetup();
    expect([...fake.meters.values()].map(m => m.event_name).sort()).toEqual([
      'orochi_backup_bytes_hour',
      'orochi_branch_seconds',
      'orochi_compute_unit_seconds',
      'orochi_storage_bytes_hour',
    ]);
    expect(problems).toEqual([
      `the team plan's price ${pro.basePrice} is not metered on one of Orochi's meters`,
      "the team plan's base price price_missing does not exist in Stripe",
    ]);
    // A second start finds them all and creates nothing.
    await provider([['pro', pro]]).checkSetup();
    expect(fake.meters.size).toBe(4);
  });

  it('counts an event Stripe already has as delivered, and a refused one as final', async () => {
    const billing = provider();
    const customerId = await billing.ensureCustomer({ group: 'group:default/team-payments' });
    expect(await billing.ensureCustomer({ group: 'group:default/team-payments' })).toBe(customerId);
    const event = { identifier: 'team-payments:compute_unit_seconds:h1', meter: 'compute_unit_seconds' as const, customerId, value: 3600, timestamp: Date.now() - 3_600_000 };
    await billing.sendMeterEvent(event);
    await billing.sendMeterEvent(event);
    expect(fake.ledger.events.get(event.identifier)?.payload.value).toBe('3600');
    await expect(billing.sendMeterEvent({ ...event, identifier: 'too-old', timestamp: Date.now() - 40 * 86_400_000 })).rejects.toThrow(InputError);
    await expect(billing.sendMeterEvent({ ...event, identifier: 'unknown-customer', customerId: 'cus_nope', value: 1.5 })).rejects.toThrow(InputError);
    fake.inject({ kind: 'status', status: 503 });
    await expect(billing.sendMeterEvent({ ...event, identifier: 'later' })).rejects.not.toThrow(InputError);
  });

  it('refuses a webhook without a valid signature', async () => {
    const body = Buffer.from(JSON.stringify(fake.event('invoice.paid', { id: 'in_1', customer: 'cus_1' })));
    await expect(provider().parseWebhook(body, undefined)).rejects.toThrow(AuthenticationError);
    await expect(provider().parseWebhook(body, fake.signature(body.toString(), undefined, 'whsec_other'))).rejects.toThrow(
      /signature does not match/,
    );
    await expect(provider().parseWebhook(body, fake.signature(body.toString()))).rejects.toThrow(/No such customer/);
  });
});
