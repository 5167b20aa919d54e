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

/**
 * Measured usage: raw samples per round (kept a while, for audit), hourly totals per cluster and meter that each
 * round adds to, and the watermarks that make each round exact.
 */
export interface UsageStore {
  watermarks(): Promise<Map<string, UsageWatermark>>;
  /**
   * Writes a round's samples, adds them to the hourly totals (marking those dirty) and writes the watermarks, and
   * forgets the watermarks of clusters that are gone, in one transaction.
   */
  recordRound(round: { samples: UsageSample[]; watermarks: UsageWatermark[]; gone: string[] }): Promise<void>;
  /**
   * For the complete hours before `beforeMs` that changed since the last roll-up: each account's total per meter,
   * seen by `onTotals` inside the transaction that marks them rolled up (to write outbox rows with them).
   */
  rollUp(beforeMs: number, onTotals?: (tx: Knex.Transaction, totals: HourlyTotal[]) => Promise<void>): Promise<HourlyTotal[]>;
  /** Hourly usage in [fromMs, toMs) of an owner's clusters or one cluster, by hour and meter (the current hour too). */
  hourly(scope: { owner: string } | { clusterId: string }, fromMs: number, toMs: number): Promise<HourlyUsage[]>;
  /** Per cluster of an owner, each meter's total in [fromMs, toMs). */
  perCluster(owner: string, fromMs: number, toMs: number): Promise<Array<{ clusterId: string; meter: UsageMeter; value: number }>>;
  /** Drops samples that ended before `samplesBeforeMs` and hourly totals before `hourlyBeforeMs`. */
  prune(samplesBeforeMs: number, hourlyBeforeMs: number): Promise<void>;
}

type WatermarkRow = { cluster_id: string; owner: string; metered_until: number | string; running: boolean | number; cu: number };

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
      await lockUsage(tx);
      const samples = round.samples.map(s => ({
        cluster_id: s.clusterId,
        owner: s.owner,
        meter: s.meter,
        start_ms: s.startMs,
        end_ms: s.endMs,
        value: s.value,
      }));
      // A round from a watermark another round has already moved on would write the same keys: it fails whole.
      for (let i = 0; i < samples.length; i += 500) await tx('usage_samples').insert(samples.slice(i, i + 500));
      const hourly = new Map<string, { cluster_id: string; owner: string; meter: string; hour: number; value: number; dirty: boolean }>();
      for (const sample of round.samples) {
        const hour = Math.floor(sample.startMs / HOUR_MS) * HOUR_MS;
        const key = `${sample.clusterId}|${sample.meter}|${hour}`;
        const row = hourly.get(key) ?? { cluster_id: sample.clusterId, owner: sample.owner, meter: sample.meter, hour, value: 0, dirty: true };
        row.value += sample.value;
        hourly.set(key, row);
      }
      const additions = [...hourly.values()];
      for (let i = 0; i < additions.length; i += 500) {
        await tx('usage_hourly')
          .insert(additions.slice(i, i + 500))
          .onConflict(['cluster_id', 'meter', 'hour'])
          .merge({ value: tx.raw('usage_hourly.value + excluded.value'), dirty: true });
      }
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
      await lockUsage(tx);
      const dirty = () => tx('usage_hourly').where({ dirty: true }).where('hour', '<', beforeMs);
      const changed: Array<{ owner: string; meter: string; hour: number | string }> = await dirty().distinct('owner', 'meter', 'hour');
      if (!changed.length) return [];
      const touched = new Set(changed.map(c => `${c.owner}|${c.meter}|${Number(c.hour)}`));
      const sums: Array<{ owner: string; meter: UsageMeter; hour: number | string; value: number }> = await tx('usage_hourly')
        .whereIn('hour', [...new Set(changed.map(c => Number(c.hour)))])
        .whereIn('owner', [...new Set(changed.map(c => c.owner))])
        .select('owner', 'meter', 'hour')
        .sum({ value: 'value' })
        .groupBy('owner', 'meter', 'hour');
      const totals = sums
        .filter(s => touched.has(`${s.owner}|${s.meter}|${Number(s.hour)}`))
        .map(s => ({ owner: s.owner, meter: s.meter, hour: Number(s.hour), value: Number(s.value) }));
      await onTotals?.(tx, totals);
      await dirty().update({ dirty: false });
      return totals;
    });
  }

  async hourly(scope: { owner: string } | { clusterId: string }, fromMs: number, toMs: number) {
    const where = 'owner' in scope ? { owner: scope.owner } : { cluster_id: scope.clusterId };
    const rows: Array<{ meter: UsageMeter; hour: number | string; value: number | string }> = await this.db('usage_hourly')
      .where(where)
      .where('hour', '>=', Math.floor(fromMs / HOUR_MS) * HOUR_MS)
      .where('hour', '<', toMs)
      .select('meter', 'hour')
      .sum({ value: 'value' })
      .groupBy('meter', 'hour');
    return rows
      .map(row => ({ meter: row.meter, hour: Number(row.hour), value: Number(row.value) }))
      .sort((a, b) => a.hour - b.hour || a.meter.localeCompare(b.meter));
  }

  async perCluster(owner: string, fromMs: number, toMs: number) {
    const rows: Array<{ cluster_id: string; meter: UsageMeter; value: number }> = await this.db('usage_hourly')
      .where({ owner })
      .where('hour', '>=', Math.floor(fromMs / HOUR_MS) * HOUR_MS)
      .where('hour', '<', toMs)
      .select('cluster_id', 'meter')
      .sum({ value: 'value' })
      .groupBy('cluster_id', 'meter');
    return rows.map(row => ({ clusterId: row.cluster_id, meter: row.meter, value: Number(row.value) }));
  }

  async prune(samplesBeforeMs: number, hourlyBeforeMs: number) {
    await this.db('usage_samples').where('end_ms', '<', samplesBeforeMs).delete();
    await this.db('usage_hourly').where('hour', '<', hourlyBeforeMs).where({ dirty: false }).delete();
  }
}

/**
 * One writer of usage at a time, even across replicas: a round and a roll-up must not interleave (the roll-up
 * would mark rolled up what a round just added). PostgreSQL takes an advisory lock for the transaction; SQLite's
 * first write takes its database lock.
 */
async function lockUsage(tx: Knex.Transaction) {
  if (tx.client.config.client === 'pg') await tx.raw('select pg_advisory_xact_lock(hashtext(?))', ['orochi-usage']);
  else await tx('usage_watermarks').where({ cluster_id: '' }).delete();
}
