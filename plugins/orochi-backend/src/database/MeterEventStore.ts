import { DatabaseService } from '@backstage/backend-plugin-api';
import { UsageMeter } from '@orochi/backstage-plugin-orochi-common';
import { Knex } from 'knex';
import { createHash } from 'node:crypto';
import { HourlyTotal } from './UsageStore';
import { migratedClient } from './migrate';

export type MeterEventState = 'pending' | 'delivered' | 'failed';

/** One revision of an account's total for a meter and hour, on its way to the billing provider. */
export interface OutboxEvent {
  identifier: string;
  owner: string;
  meter: UsageMeter;
  hour: number;
  revision: number;
  value: number;
  /** The revision this one corrects. */
  cancels?: string;
  state: MeterEventState;
  attempts: number;
  lastError?: string;
  deliveredAt?: number;
}

type MeterEventRow = {
  identifier: string;
  owner: string;
  meter: UsageMeter;
  hour: number | string;
  revision: number;
  value: number | string;
  cancels: string | null;
  state: MeterEventState;
  attempts: number;
  not_before: number | string;
  claimed_until: number | string | null;
  last_error: string | null;
  created_at: number | string;
  delivered_at: number | string | null;
};

const toEvent = (row: MeterEventRow): OutboxEvent => ({
  identifier: row.identifier,
  owner: row.owner,
  meter: row.meter,
  hour: Number(row.hour),
  revision: row.revision,
  value: Number(row.value),
  ...(row.cancels ? { cancels: row.cancels } : {}),
  state: row.state,
  attempts: row.attempts,
  ...(row.last_error ? { lastError: row.last_error } : {}),
  ...(row.delivered_at !== null ? { deliveredAt: Number(row.delivered_at) } : {}),
});

/**
 * The meter event's identifier: the same account, meter, hour and revision always give the same one, so a resend
 * is recognised by the provider. Readable while short enough for Stripe (100 characters), hashed beyond.
 */
export function meterEventIdentifier(owner: string, meter: UsageMeter, hour: number, revision: number): string {
  const suffix = `${meter}:${new Date(hour).toISOString()}${revision > 1 ? `:r${revision}` : ''}`;
  const readable = `${owner}:${suffix}`;
  return readable.length <= 100 ? readable : `${createHash('sha256').update(owner).digest('hex').slice(0, 32)}:${suffix}`;
}

/** The durable outbox of meter events: written with the roll-up, emptied by the delivery job. */
export interface MeterEventStore {
  /** Inside the roll-up's transaction: a new revision for each total that differs from the latest one. */
  addRevisions(tx: Knex.Transaction, totals: HourlyTotal[], now: number): Promise<number>;
  /** Claims pending events due by `now` for `leaseMs`, oldest hour first; another replica skips them meanwhile. */
  claim(now: number, leaseMs: number, limit: number): Promise<OutboxEvent[]>;
  get(identifier: string): Promise<OutboxEvent | undefined>;
  delivered(identifier: string, now: number): Promise<void>;
  retryLater(identifier: string, error: string, notBefore: number): Promise<void>;
  failed(identifier: string, error: string): Promise<void>;
  list(filter: { owner?: string; state?: MeterEventState }): Promise<OutboxEvent[]>;
}

export class DatabaseMeterEventStore implements MeterEventStore {
  static async create(options: { database: DatabaseService }) {
    return new DatabaseMeterEventStore(await migratedClient(options.database));
  }

  constructor(private readonly db: Knex) {}

  async addRevisions(tx: Knex.Transaction, totals: HourlyTotal[], now: number) {
    if (!totals.length) return 0;
    const latest = new Map<string, MeterEventRow>();
    const hours = [...new Set(totals.map(t => t.hour))];
    const owners = [...new Set(totals.map(t => t.owner))];
    const rows: MeterEventRow[] = await tx('meter_events').whereIn('hour', hours).whereIn('owner', owners);
    for (const row of rows) {
      const key = `${row.owner}|${row.meter}|${Number(row.hour)}`;
      if ((latest.get(key)?.revision ?? 0) < row.revision) latest.set(key, row);
    }
    const inserts = totals.flatMap(total => {
      const value = Math.round(total.value);
      const previous = latest.get(`${total.owner}|${total.meter}|${total.hour}`);
      if (previous ? Number(previous.value) === value : value === 0) return [];
      const revision = (previous?.revision ?? 0) + 1;
      return [
        {
          identifier: meterEventIdentifier(total.owner, total.meter, total.hour, revision),
          owner: total.owner,
          meter: total.meter,
          hour: total.hour,
          revision,
          value,
          cancels: previous?.identifier ?? null,
          state: 'pending',
          attempts: 0,
          not_before: now,
          created_at: now,
        },
      ];
    });
    for (let i = 0; i < inserts.length; i += 500) await tx('meter_events').insert(inserts.slice(i, i + 500));
    return inserts.length;
  }

  async claim(now: number, leaseMs: number, limit: number) {
    const candidates: MeterEventRow[] = await this.db('meter_events')
      .where({ state: 'pending' })
      .where('not_before', '<=', now)
      .where(q => q.whereNull('claimed_until').orWhere('claimed_until', '<', now))
      .orderBy([{ column: 'hour' }, { column: 'revision' }])
      .limit(limit);
    const claimed: OutboxEvent[] = [];
    for (const row of candidates) {
      const updated = await this.db('meter_events')
        .where({ identifier: row.identifier, state: 'pending' })
        .where(q => q.whereNull('claimed_until').orWhere('claimed_until', '<', now))
        .update({ claimed_until: now + leaseMs });
      if (updated) claimed.push(toEvent(row));
    }
    return claimed;
  }

  async get(identifier: string) {
    const row = await this.db<MeterEventRow>('meter_events').where({ identifier }).first();
    return row ? toEvent(row) : undefined;
  }

  async delivered(identifier: string, now: number) {
    await this.db('meter_events')
      .where({ identifier })
      .update({ state: 'delivered', delivered_at: now, claimed_until: null, last_error: null });
  }

  async retryLater(identifier: string, error: string, notBefore: number) {
    await this.db('meter_events')
      .where({ identifier })
      .update({ attempts: this.db.raw('attempts + 1'), last_error: error, not_before: notBefore, claimed_until: null });
  }

  async failed(identifier: string, error: string) {
    await this.db('meter_events')
      .where({ identifier })
      .update({ state: 'failed', attempts: this.db.raw('attempts + 1'), last_error: error, claimed_until: null });
  }

  async list(filter: { owner?: string; state?: MeterEventState }) {
    const rows: MeterEventRow[] = await this.db('meter_events')
      .modify(q => {
        if (filter.owner) q.where({ owner: filter.owner });
        if (filter.state) q.where({ state: filter.state });
      })
      .orderBy([{ column: 'hour' }, { column: 'meter' }, { column: 'revision' }]);
    return rows.map(toEvent);
  }
}
