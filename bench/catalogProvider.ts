// The catalog entity provider's full mutation for 10,000 clusters, read through the real Orochi REST API (the
// plugin's dev backend on SQLite, seeded with cluster records), and the memory it takes.
import { mockServices } from '@backstage/backend-test-utils';
import { DatabaseOrochiStore } from '@orochi/backstage-plugin-orochi-backend/src/database/DatabaseOrochiStore';
import { OrochiEntityProvider } from '@orochi/backstage-plugin-catalog-backend-module-orochi';
import { clusterSpec, createDevBackend, localDriverConfig } from '@orochi/test-utils';
import knexFactory from 'knex';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { median, ms, scratchDirectory, summary } from './lib';

const CLUSTERS = Number(process.env.OROCHI_BENCH_CLUSTERS ?? 10_000);
const RUNS = 5;
const OWNERS = ['team-payments', 'team-search', 'platform-admins'];

/** Cluster records only (no servers), with their create operations settled so the engine has nothing to do. */
async function seed(sqliteDirectory: string) {
  mkdirSync(sqliteDirectory, { recursive: true });
  // Seeding is setup, not the measurement: no fsync per commit.
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: join(sqliteDirectory, 'orochi.sqlite') },
    useNullAsDefault: true,
    pool: { afterCreate: (connection: any, done: () => void) => (connection.pragma('synchronous = OFF'), done()) },
  });
  const store = await DatabaseOrochiStore.create({ database: mockServices.database({ knex }) });
  for (let i = 0; i < CLUSTERS; i++) {
    const spec = clusterSpec(`bench-${String(i).padStart(5, '0')}`, {
      owner: `group:default/${OWNERS[i % OWNERS.length]}`,
      instances: 1 + (i % 3),
      storageGb: 10,
    });
    const { operation } = await store.createCluster(
      { id: randomUUID(), spec, status: 'provisioning', driver: 'local', database: 'app', user: 'app', createdBy: 'user:default/bench' },
      { id: randomUUID(), request: { type: 'create', parameters: {} }, requestedBy: 'user:default/bench' },
    );
    const claim = await store.claimOperation('bench-seed', 60_000);
    await store.finishOperation(operation.id, claim!.leaseToken, { state: 'succeeded', clusterStatus: 'ready' });
  }
  await knex.destroy();
}

const silentLogger: any = { info() {}, warn() {}, error() {}, debug() {}, child: () => silentLogger };

export async function catalogProvider() {
  const directory = scratchDirectory('orochi-bench-catalog-');
  const seeding = performance.now();
  await seed(join(directory, 'sqlite'));
  console.log(`seeded ${CLUSTERS} cluster records in ${ms(performance.now() - seeding)}`);
  const backend = await createDevBackend({
    directory,
    orochi: {
      ...localDriverConfig(join(directory, 'driver'), { from: 57000, to: 57999 }).orochi,
      // The records have no servers; keep the reconciler from marking them all failed meanwhile.
      reconciler: { schedule: { frequency: { hours: 24 }, timeout: { minutes: 1 }, initialDelay: { hours: 24 } } },
    },
  });
  await backend.start();
  try {
    let entities = 0;
    const provider = new OrochiEntityProvider({
      taskRunner: { run: async () => {} },
      events: { publish: async () => {}, subscribe: async () => {} },
      auth: { getPluginRequestToken: async () => ({ token: '' }), getOwnServiceCredentials: async () => ({}) } as any,
      discovery: { getBaseUrl: async () => backend.baseUrl, getExternalBaseUrl: async () => backend.baseUrl },
      appBaseUrl: 'http://localhost:3000',
      logger: silentLogger,
    });
    await provider.connect({
      applyMutation: async (mutation: any) => {
        entities = mutation.entities.length;
      },
      refresh: async () => {},
    });
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    const sampler = setInterval(() => (heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)), 5);
    const times: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const started = performance.now();
      await provider.refresh();
      times.push(performance.now() - started);
    }
    clearInterval(sampler);
    console.log(`full mutation of ${entities} clusters (REST paging + entities): ${summary(times)}`);
    console.log(`target under 2000 ms: ${median(times) < 2000 ? 'met' : 'missed'}`);
    console.log(`peak heap growth during a full mutation: ${((heapPeak - heapBefore) / 2 ** 20).toFixed(0)} MB`);
    console.log(`peak RSS of the benchmark process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  } finally {
    await backend.kill();
    rmSync(directory, { recursive: true, force: true });
  }
}
