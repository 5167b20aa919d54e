// Metering at scale on the real stores (SQLite, the embedded default): one usage round over 10,000 clusters, and
// one hourly roll-up of an hour of their minute samples (1.2 million raw rows, 20,000 hourly totals), each next to
// the same run's floor: reading every cluster record once, and counting the hour's hourly totals.
import { mockServices } from '@backstage/backend-test-utils';
import { UsageMeter } from '@orochi/backstage-plugin-orochi-backend/src/billing/UsageMeter';
import { UsageRollup } from '@orochi/backstage-plugin-orochi-backend/src/billing/UsageRollup';
import { HOUR_MS, UsageSample } from '@orochi/backstage-plugin-orochi-backend/src/billing/usageIntervals';
import { DatabaseMeterEventStore } from '@orochi/backstage-plugin-orochi-backend/src/database/MeterEventStore';
import { DatabaseOrochiStore } from '@orochi/backstage-plugin-orochi-backend/src/database/DatabaseOrochiStore';
import { DatabaseUsageStore } from '@orochi/backstage-plugin-orochi-backend/src/database/UsageStore';
import { ClusterDriver } from '@orochi/backstage-plugin-orochi-node';
import { clusterSpec } from '@orochi/test-utils';
import knexFactory from 'knex';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { median, ms, scratchDirectory, summary } from './lib';

const CLUSTERS = Number(process.env.OROCHI_BENCH_CLUSTERS ?? 10_000);
const TEAMS = 500;
const RUNS = 3;
const silentLogger: any = { info() {}, warn() {}, error() {}, debug() {}, child: () => silentLogger };
/** A driver that measures instantly: the benchmark is about Orochi's own work. */
const measuringDriver = { measureStorage: async () => ({ data: 2 ** 30, backups: 0 }) } as unknown as ClusterDriver;

export async function billing() {
  const directory = scratchDirectory('orochi-bench-billing-');
  const knex = knexFactory({ client: 'better-sqlite3', connection: { filename: join(directory, 'orochi.sqlite') }, useNullAsDefault: true });
  const database = mockServices.database({ knex });
  const store = await DatabaseOrochiStore.create({ database });
  const usage = await DatabaseUsageStore.create({ database });
  const events = await DatabaseMeterEventStore.create({ database });
  try {
    const seeding = performance.now();
    const ids: Array<{ id: string; owner: string }> = [];
    for (let i = 0; i < CLUSTERS; i++) {
      const owner = `group:default/team-${i % TEAMS}`;
      const { cluster, operation } = await store.createCluster(
        { id: randomUUID(), spec: clusterSpec(`metered-${String(i).padStart(5, '0')}`, { owner }), status: 'provisioning', driver: 'local', database: 'app', user: 'app', createdBy: 'user:default/bench' },
        { id: randomUUID(), request: { type: 'create', parameters: {} }, requestedBy: 'user:default/bench' },
      );
      const claim = await store.claimOperation('bench-seed', 60_000);
      await store.finishOperation(operation.id, claim!.leaseToken, { state: 'succeeded', clusterStatus: 'ready' });
      ids.push({ id: cluster.id, owner });
    }
    console.log(`seeded ${CLUSTERS} ready clusters of ${TEAMS} teams in ${ms(performance.now() - seeding)}`);

    let now = Date.now();
    const meter = new UsageMeter({ store, usage, driver: measuringDriver, logger: silentLogger, clock: () => now });
    await meter.meterAll(); // the first round only records where metering starts
    const rounds: number[] = [];
    const reads: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      now += 60_000;
      let started = performance.now();
      await store.listAllClusters();
      reads.push(performance.now() - started);
      started = performance.now();
      await meter.meterAll();
      rounds.push(performance.now() - started);
    }
    console.log(`one usage round over ${CLUSTERS} clusters:  ${summary(rounds)}`);
    console.log(`reading the ${CLUSTERS} cluster records alone: ${summary(reads)}`);
    console.log(`ratio round / read (medians): ${(median(rounds) / median(reads)).toFixed(1)} (target: round at most 1 s)`);

    // An hour of minute samples for every cluster, in an hour of its own, rolled up each run.
    const rollups: number[] = [];
    const counts: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const hour = Math.floor(now / HOUR_MS) * HOUR_MS - (run + 2) * HOUR_MS;
      const samples: UsageSample[] = [];
      for (let minute = 0; minute < 60; minute++) {
        for (const { id, owner } of ids) {
          const startMs = hour + minute * 60_000;
          samples.push({ clusterId: id, owner, meter: 'compute_unit_seconds', startMs, endMs: startMs + 60_000, value: 60 });
          samples.push({ clusterId: id, owner, meter: 'storage_bytes_hour', startMs, endMs: startMs + 60_000, value: 2 ** 30 / 60 });
        }
      }
      await usage.recordRound({ samples, watermarks: [], gone: [] });
      let started = performance.now();
      await knex('usage_hourly').where({ dirty: true, hour }).count({ count: '*' });
      counts.push(performance.now() - started);
      const rollup = new UsageRollup({ usage, events, clock: () => hour + HOUR_MS + 60_000, rawRetentionMs: 7 * 86_400_000, retentionMs: 400 * 86_400_000 });
      started = performance.now();
      await rollup.rollUp();
      rollups.push(performance.now() - started);
    }
    console.log(`one hourly roll-up of ${2 * 60 * CLUSTERS} samples (with the outbox): ${summary(rollups)}`);
    console.log(`counting the hour's ${2 * CLUSTERS} hourly totals alone: ${summary(counts)}`);
    console.log(`ratio roll-up / count (medians): ${(median(rollups) / median(counts)).toFixed(1)} (target: roll-up at most 1 s)`);
  } finally {
    await knex.destroy();
    rmSync(directory, { recursive: true, force: true });
  }
}
