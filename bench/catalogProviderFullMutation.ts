// Full-mutation time of the catalog entity provider for 10,000 clusters, read through the real Orochi REST API
// (the plugin's dev backend on SQLite), and the provider's peak memory. Run by catalogProvider.mjs.
import { mockServices } from '@backstage/backend-test-utils';
import { DatabaseOrochiStore } from '@orochi/backstage-plugin-orochi-backend/src/database/DatabaseOrochiStore';
import { OrochiEntityProvider } from '@orochi/backstage-plugin-catalog-backend-module-orochi';
import { ClusterSpec } from '@orochi/backstage-plugin-orochi-common';
import knexFactory from 'knex';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const CLUSTERS = Number(process.env.OROCHI_BENCH_CLUSTERS ?? 10_000);
const RUNS = 5;

export async function seed(sqliteDirectory: string) {
  mkdirSync(sqliteDirectory, { recursive: true });
  // Seeding is setup, not the measurement: skip fsync per commit.
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: join(sqliteDirectory, 'orochi.sqlite') },
    useNullAsDefault: true,
    pool: { afterCreate: (connection: any, done: () => void) => (connection.pragma('synchronous = OFF'), done()) },
  });
  const store = await DatabaseOrochiStore.create({ database: mockServices.database({ knex }) });
  const owners = ['team-payments', 'team-search', 'platform-admins'];
  for (let i = 0; i < CLUSTERS; i++) {
    const spec: ClusterSpec = {
      name: `bench-${String(i).padStart(5, '0')}`,
      owner: `group:default/${owners[i % owners.length]}`,
      plan: 'pro',
      size: 'small',
      instances: 1 + (i % 3),
      storageGb: 10,
      version: 15,
      region: 'local',
      autoscaling: { enabled: false, minCu: 1, maxCu: 1 },
      scaleToZero: { enabled: false, idleMinutes: 15 },
      backups: { enabled: false, schedule: '0 0 3 * * *', retentionDays: 7 },
      hibernated: false,
    };
    const { operation } = await store.createCluster(
      { id: randomUUID(), spec, status: 'provisioning', driver: 'local', database: 'app', user: 'app', createdBy: 'user:default/bench' },
      { id: randomUUID(), type: 'create', requestedBy: 'user:default/bench' },
    );
    // Records only: settle the create so the backend's engine has nothing to run.
    await store.claimOperation('bench-seed', 60_000);
    await store.finishOperation(operation.id, 'bench-seed', { state: 'succeeded', clusterStatus: 'ready' });
  }
  await knex.destroy();
}

const silentLogger: any = { info() {}, warn() {}, error() {}, debug() {}, child: () => silentLogger };

export async function measure(baseUrl: string) {
  let entities = 0;
  const provider = new OrochiEntityProvider({
    taskRunner: { run: async () => {} },
    events: { publish: async () => {}, subscribe: async () => {} },
    auth: { getPluginRequestToken: async () => ({ token: '' }), getOwnServiceCredentials: async () => ({}) } as any,
    discovery: { getBaseUrl: async () => baseUrl, getExternalBaseUrl: async () => baseUrl },
    appBaseUrl: 'http://localhost:3000',
    logger: silentLogger,
  });
  await provider.connect({
    applyMutation: async (mutation: any) => {
      entities = mutation.entities.length;
    },
    refresh: async () => {},
  });
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    await provider.refresh();
    times.push(performance.now() - started);
  }
  return { times, entities, peakRssMb: process.resourceUsage().maxRSS / 1024 };
}
