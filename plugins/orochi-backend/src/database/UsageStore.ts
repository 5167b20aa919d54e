import { DatabaseService } from '@backstage/backend-plugin-api';
import { UsageMeter } from '@orochi/backstage-plugin-orochi-common';
import { Knex } from 'knex';
import { HOUR_MS, UsageSample, UsageWatermark } from '../billing/usageIntervals';
import { migratedClient } from './migrate';

/** One hour of one meter, for a cluster or summed over an account's clusters. */
export interface HourlyUsage {
  meter: UsageMeter;
  hour: number;
  value: number;
}

/** The account, meter and hour whose total changed in a roll-up, with the new total. */
export interface HourlyTotal extends HourlyUsage {
  owner: string;
}

/** Measured usage: raw samples per round, hourly roll-ups, and the watermarks that make each round exact. */
export interface UsageStore {
  watermarks(): Promise<Map<string, UsageWatermark>>;
  /** Writes a round's samples and watermarks, and forgets the watermarks of clusters that are gone, at once. */
  recordRound(round: { samples: UsageSample[]; watermarks: UsageWatermark[]; gone: string[] }): Promise<void>;
  /**
   * Adds the samples of hours before `beforeMs` that are not rolled up yet to the hourly totals and marks them,
   * in one transaction, in which `onTotals` sees every account total that changed (to write outbox rows).
   */
  rollUp(beforeMs: number, onTotals?: (tx: Knex.Transaction, totals: HourlyTotal[]) => Promise<void>): Promise<HourlyTotal[]>;
  /** Hourly usage in [fromMs, toMs) of an owner's clusters or one cluster, rolled up or not yet, by hour and meter. */
  hourly(scope: { owner: string } | { clusterId: string }, fromMs: number, toMs: number): Promise<HourlyUsage[]>;
  /** Per cluster of an owner, each meter's total in [fromMs, toMs). */
  perCluster(owner: string, fromMs: number, toMs: number): Promise<Array<{ clusterId: string; meter: UsageMeter; value: number }>>;
  /** Drops rolled-up samples before `samplesBeforeMs` and hourly totals before `hourlyBeforeMs`. */
  prune(samplesBeforeMs: number, hourlyBeforeMs: number): Promise<void>;
}

type WatermarkRow = { cluster_id: string; owner: string; metered_until: number | string; running: boolean | number; cu: number };

const hourOf = (column: string) => `(${column} - (${column} % ${HOUR_MS}))`;

export class DatabaseUsageStore implements UsageStore {
  static async create(options: { database: DatabaseService }) {
    return new DatabaseUsageStore(await migratedClient(options.database));
  }

  constructor(private readonly db: Knex) {}

  async watermarks() {
    const rows = await this.db<WatermarkRow>('usage_watermarks');
    return new Map(
      rows.map(row => [
        row.cluster_id,
        { clusterId: row.cluster_id, owner: row.owner, meteredUntil: Number(row.metered_until), running: Boolean(row.running), cu: row.cu },
      ]),
    );
  }

  async recordRound(round: { samples: UsageSample[]; watermarks: UsageWatermark[]; gone: string[] }) {
    await this.db.transaction(async tx => {
      const samples = round.samples.map(s => ({
        cluster_id: s.clusterId,
        owner: s.owner,
        meter: s.meter,
        start_ms: s.startMs,
        end_ms: s.endMs,
        value: s.value,
        rolled_up: false,
      }));
      // A concurrent round from the same watermark would write the same keys: one of the two fails whole.
      for (let i = 0; i < samples.length; i += 500) await tx('usage_samples').insert(samples.slice(i, i + 500));
      const watermarks = round.watermarks.map(w => ({
        cluster_id: w.clusterId,
        owner: w.owner,
        metered_until: w.meteredUntil,
        running: w.running,
        cu: w.cu,
      }));
      for (let i = 0; i < watermarks.length; i += 500) {
        await tx('usage_watermarks').insert(watermarks.slice(i, i + 500)).onConflict('cluster_id').merge();
      }
      for (let i = 0; i < round.gone.length; i += 500) {
        await tx('usage_watermarks').whereIn('cluster_id', round.gone.slice(i, i + 500)).delete();
      }
    });
  }

  async rollUp(beforeMs: number, onTotals?: (tx: Knex.Transaction, totals: HourlyTotal[]) => Promise<void>) {
    return this.db.transaction(async tx => {
      // One roll-up at a time, even across replicas: two would both add the same samples.
      if (tx.client.config.client === 'pg') await tx.raw('select pg_advisory_xact_lock(hashtext(?))', ['orochi-usage-rollup']);
      else await tx('usage_samples').where({ start_ms: -1 }).update({ rolled_up: true });
      const pending = () => tx('usage_samples').where({ rolled_up: false }).where('start_ms', '<', beforeMs);
      const additions: Array<{ cluster_id: string; owner: string; meter: string; hour: number | string; value: number }> =
        await pending()
          .select('cluster_id', 'owner', 'meter', tx.raw(`${hourOf('start_ms')} as hour`))
          .sum({ value: 'value' })
          .groupBy('cluster_id', 'owner', 'meter', tx.raw(hourOf('start_ms')));
      if (!additions.length) return [];
      for (let i = 0; i < additions.length; i += 500) {
        await tx('usage_hourly')
          .insert(additions.slice(i, i + 500).map(a => ({ ...a, hour: Number(a.hour) })))
          .onConflict(['cluster_id', 'meter', 'hour'])
          .merge({ value: tx.raw('usage_hourly.value + excluded.value') });
      }
      await pending().update({ rolled_up: true });

      const touched = new Map<string, { owner: string; meter: string; hour: number }>();
      for (const a of additions) touched.set(`${a.owner}|${a.meter}|${a.hour}`, { owner: a.owner, meter: a.meter, hour: Number(a.hour) });
      const hours = [...new Set([...touched.values()].map(t => t.hour))];
      const owners = [...new Set([...touched.values()].map(t => t.owner))];
      const sums: Array<{ owner: string; meter: UsageMeter; hour: number | string; value: number }> = await tx('usage_hourly')
        .whereIn('hour', hours)
        .whereIn('owner', owners)
        .select('owner', 'meter', 'hour')
        .sum({ value: 'value' })
        .groupBy('owner', 'meter', 'hour');
      const totals = sums
        .filter(s => touched.has(`${s.owner}|${s.meter}|${s.hour}`))
        .map(s => ({ owner: s.owner, meter: s.meter, hour: Number(s.hour), value: Number(s.value) }));
      await onTotals?.(tx, totals);
      return totals;
    });
  }

  async hourly(scope: { owner: string } | { clusterId: string }, fromMs: number, toMs: number) {
    const where = 'owner' in scope ? { owner: scope.owner } : { cluster_id: scope.clusterId };
    const rolled: Array<{ meter: UsageMeter; hour: number | string; value: number }> = await this.db('usage_hourly')
      .where(where)
      .where('hour', '>=', fromMs)
      .where('hour', '<', toMs)
      .select('meter', 'hour')
      .sum({ value: 'value' })
      .groupBy('meter', 'hour');
    const fresh: typeof rolled = await this.db('usage_samples')
      .where(where)
      .where({ rolled_up: false })
      .where('start_ms', '>=', fromMs)
      .where('start_ms', '<', toMs)
      .select('meter', this.db.raw(`${hourOf('start_ms')} as hour`))
      .sum({ value: 'value' })
      .groupBy('meter', this.db.raw(hourOf('start_ms')));
    const byKey = new Map<string, HourlyUsage>();
    for (const row of [...rolled, ...fresh]) {
      const key = `${row.meter}|${row.hour}`;
      const value = (byKey.get(key)?.value ?? 0) + Number(row.value);
      byKey.set(key, { meter: row.meter, hour: Number(row.hour), value });
    }
    return [...byKey.values()].sort((a, b) => a.hour - b.hour || a.meter.localeCompare(b.meter));
  }

  async perCluster(owner: string, fromMs: number, toMs: number) {
    const query = (table: 'usage_hourly' | 'usage_samples', column: string) =>
      this.db(table)
        .where({ owner })
        .where(column, '>=', fromMs)
        .where(column, '<', toMs)
        .modify(q => {
          if (table === 'usage_samples') q.where({ rolled_up: false });
        })
        .select('cluster_id', 'meter')
        .sum({ value: 'value' })
        .groupBy('cluster_id', 'meter');
    const byKey = new Map<string, { clusterId: string; meter: UsageMeter; value: number }>();
    for (const row of [...(await query('usage_hourly', 'hour')), ...(await query('usage_samples', 'start_ms'))]) {
      const key = `${row.cluster_id}|${row.meter}`;
      byKey.set(key, { clusterId: row.cluster_id, meter: row.meter, value: (byKey.get(key)?.value ?? 0) + Number(row.value) });
    }
    return [...byKey.values()];
  }

  async prune(samplesBeforeMs: number, hourlyBeforeMs: number) {
    await this.db('usage_samples').where({ rolled_up: true }).where('end_ms', '<', samplesBeforeMs).delete();
    await this.db('usage_hourly').where('hour', '<', hourlyBeforeMs).delete();
  }
}
