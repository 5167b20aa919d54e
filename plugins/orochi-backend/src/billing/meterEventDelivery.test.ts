import { mockServices } from '@backstage/backend-test-utils';
import { StripeBillingProvider } from '@orochi/backstage-plugin-orochi-backend-module-stripe';
import { UsageMeter } from '@orochi/backstage-plugin-orochi-common';
import { BillingProvider } from '@orochi/backstage-plugin-orochi-node';
import { createTestDatabases, FakeStripe } from '@orochi/test-utils';
import { Knex } from 'knex';
import { DatabaseBillingAccountStore } from '../database/BillingAccountStore';
import { DatabaseMeterEventStore } from '../database/MeterEventStore';
import { DatabaseUsageStore } from '../database/UsageStore';
import { MeterEventOutbox } from './MeterEventOutbox';
import { UsageRollup } from './UsageRollup';
import { HOUR_MS, UsageSample } from './usageIntervals';

jest.setTimeout(120_000);

const databases = createTestDatabases();
const TEAMS = ['group:default/team-payments', 'group:default/team-search', 'group:default/team-mobile'];
const METERS: UsageMeter[] = ['compute_unit_seconds', 'storage_bytes_hour'];
const HOURS = 4;

/** A seeded generator, so a failing sequence can be replayed. */
function seeded(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/**
 * Stops a backend "process" at a chosen point: from then on it reaches neither Stripe nor the database, as if it
 * had been killed, and the next process finds the database as the killed one left it.
 */
class Killed extends Error {}

describe.each(databases.eachSupportedId())('meter events on %p', databaseId => {
  let fake: FakeStripe;
  let knex: Knex;
  let now: number;
  const start = Date.now() - (HOURS + 1) * HOUR_MS;
  const firstHour = Math.floor(start / HOUR_MS) * HOUR_MS;

  beforeEach(async () => {
    fake = await new FakeStripe().start();
    knex = await databases.init(databaseId);
    now = firstHour + (HOURS + 1) * HOUR_MS;
  });
  afterEach(() => fake.stop());

  const provider = () =>
    new StripeBillingProvider({
      secretKey: fake.apiKey,
      webhookSecret: fake.webhookSecret,
      plans: new Map(),
      meterEventPrefix: 'orochi_',
      timeoutMs: 500,
      maxNetworkRetries: 0,
      api: { host: '127.0.0.1', port: fake.port, protocol: 'http' },
    });

  /** A backend replica: its own stores on the shared database, and the outbox on its own clock. */
  async function replica(billing: BillingProvider = provider(), killed: () => boolean = () => false) {
    const database = mockServices.database({ knex });
    const accounts = await DatabaseBillingAccountStore.create({ database });
    const events = await DatabaseMeterEventStore.create({ database });
    // A killed process writes nothing more: what it had claimed stays claimed until its lease lapses.
    for (const method of ['delivered', 'retryLater', 'failed'] as const) {
      const write = events[method].bind(events) as (...args: never[]) => Promise<void>;
      Object.assign(events, {
        [method]: async (...args: never[]) => {
          if (killed()) throw new Killed();
          return write(...args);
        },
      });
    }
    const usage = await DatabaseUsageStore.create({ database });
    const outbox = new MeterEventOutbox({ events, accounts, provider: billing, logger: mockServices.logger.mock(), clock: () => now, leaseMs: 60_000 });
    const rollup = new UsageRollup({ usage, events, clock: () => now, rawRetentionMs: 7 * 86_400_000, retentionMs: 400 * 86_400_000 });
    return { accounts, events, usage, outbox, rollup };
  }

  /** Usage of every team over HOURS hours, one sample per cluster, meter and minute; answers the expected totals. */
  async function meteredUsage() {
    const { accounts, usage } = await replica();
    const expected = new Map<string, number>();
    const samples: UsageSample[] = [];
    for (const [t, team] of TEAMS.entries()) {
      await accounts.ensure(team, 'pro');
      for (let minute = 0; minute < HOURS * 60; minute++) {
        for (const [m, meter] of METERS.entries()) {
          const startMs = firstHour + minute * 60_000;
          const value = (t + 1) * (m + 1) * 60;
          samples.push({ clusterId: `${team}-db`, owner: team, meter, startMs, endMs: startMs + 60_000, value });
          const key = `${team}|${meter}|${Math.floor(startMs / HOUR_MS) * HOUR_MS}`;
          expected.set(key, (expected.get(key) ?? 0) + value);
        }
      }
    }
    await usage.recordRound({ samples, watermarks: [], gone: [] });
    await provider().checkSetup();
    return expected;
  }

  /** What the fake bills: every identifier once, and per account, meter and hour the sum of the live events. */
  function billed() {
    const customers = new Map([...fake.customers.values()].map(c => [c.id as string, (c.metadata as Record<string, string>).orochi_group]));
    const totals = new Map<string, number>();
    for (const event of fake.ledger.events.values()) {
      if (event.cancelled) continue;
      const key = `${customers.get(event.payload.stripe_customer_id as string)}|${event.event_name.replace(/^orochi_/, '')}|${event.timestamp * 1000}`;
      totals.set(key, (totals.get(key) ?? 0) + Number(event.payload.value));
    }
    return totals;
  }

  /** Compute the first team's first hour gains after it was rolled up (the usage job was behind); answers its key. */
  async function lateCompute(usage: DatabaseUsageStore, value: number) {
    const team = TEAMS[0];
    const sample: UsageSample = { clusterId: `${team}-late`, owner: team, meter: 'compute_unit_seconds', startMs: firstHour, endMs: firstHour + 1000, value };
    await usage.recordRound({ samples: [sample], watermarks: [], gone: [] });
    return `${team}|compute_unit_seconds|${firstHour}`;
  }

  const meterEventPosts = () => fake.requests.filter(r => r.method === 'POST' && r.path === '/v1/billing/meter_events');

  it('sends every hour once with two replicas on one database', async () => {
    const expected = await meteredUsage();
    const [a, b] = [await replica(), await replica()];
    await Promise.all([a.rollup.rollUp(), b.rollup.rollUp()]);
    while ((await a.events.list({ state: 'pending' })).length) {
      await Promise.all([a.outbox.deliverDue(), b.outbox.deliverDue()]);
    }
    expect(billed()).toEqual(expected);
    const identifiers = meterEventPosts().map(r => r.params.identifier);
    expect(identifiers).toHaveLength(TEAMS.length * METERS.length * HOURS);
    expect(new Set(identifiers).size).toBe(identifiers.length);
    // One customer per team, created once even though both replicas may have needed it.
    expect(fake.customers.size).toBe(TEAMS.length);
  });

  it.each([1, 2, 3])('bills every hour exactly once while Stripe fails at random and backends are killed (seed %p)', async seed => {
    const expected = await meteredUsage();
    const random = seeded(seed);
    fake.failRandomly({
      rate: 0.3,
      random,
      failures: [{ kind: 'status', status: 500 }, { kind: 'status', status: 429 }, { kind: 'status', status: 503 }, { kind: 'timeout' }, { kind: 'lost' }],
    });
    await (await replica()).rollup.rollUp();

    // Each round a new backend "process" delivers, and may be killed at any point of the outbox: before or after
    // Stripe creates the customer, cancels a corrected event or records an event (after it and before the outbox
    // records it is the worst moment). Its claims lapse before the next process takes over.
    for (let round = 0; round < 300; round++) {
      const dying = provider();
      let killed = false;
      const mayDie = () => {
        if (killed || random() < 0.1) {
          killed = true;
          throw new Killed();
        }
      };
      for (const method of ['ensureCustomer', 'cancelMeterEvent', 'sendMeterEvent'] as const) {
        const real = (dying[method] as (arg: never) => Promise<unknown>).bind(dying);
        Object.assign(dying, {
          [method]: async (arg: never) => {
            mayDie();
            const result = await real(arg);
            mayDie();
            return result;
          },
        });
      }
      const { outbox, events, usage, rollup } = await replica(dying, () => killed);
      if (round === 2) {
        // A late sample corrects the first team's first hour while its first revision may be on its way.
        const key = await lateCompute(usage, 11);
        await rollup.rollUp();
        expected.set(key, expected.get(key)! + 11);
      }
      await outbox.deliverDue().catch(error => {
        if (!(error instanceof Killed)) throw error;
      });
      now += 61_000 + HOUR_MS; // past every lease and every backoff
      if (!(await events.list({ state: 'pending' })).length) break;
    }
    fake.failRandomly();
    const { events } = await replica();
    expect(await events.list({ state: 'pending' })).toEqual([]);
    expect(await events.list({ state: 'failed' })).toEqual([]);
    expect(billed()).toEqual(expected);
    expect(fake.customers.size).toBe(TEAMS.length);
  });

  it('corrects an hour that changed after it was sent: cancels the event and sends the new total', async () => {
    await meteredUsage();
    const { rollup, outbox, usage, events } = await replica();
    await rollup.rollUp();
    while ((await events.list({ state: 'pending' })).length) await outbox.deliverDue();

    // A late sample for the first hour (the usage job was behind): the hour's total grows.
    const team = TEAMS[0];
    const key = await lateCompute(usage, 7);
    await rollup.rollUp();
    await outbox.deliverDue();
    expect(billed().get(key)).toBe(60 * 60 + 7);
    const revisions = (await events.list({ owner: team })).filter(e => e.hour === firstHour && e.meter === 'compute_unit_seconds');
    expect(revisions.map(e => ({ revision: e.revision, value: e.value, state: e.state }))).toEqual([
      { revision: 1, value: 3600, state: 'delivered' },
      { revision: 2, value: 3607, state: 'delivered' },
    ]);
  });
});
