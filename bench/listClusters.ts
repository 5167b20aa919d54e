// GET /clusters at 10,000 clusters under a conditional permission decision ("owners may read"), on SQLite and on
// PostgreSQL: the query the list route runs with the decision turned into a filter (the caller owns a third of the
// clusters through two groups), one page of 20, timed 300 times; next to the same run's floor, reading that page
// by primary key.
import { mockServices } from '@backstage/backend-test-utils';
import { DatabaseOrochiStore } from '@orochi/backstage-plugin-orochi-backend/src/database/DatabaseOrochiStore';
import { clusterSpec, startTestPostgres } from '@orochi/test-utils';
import knexFactory, { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { median, ms, scratchDirectory } from './lib';

const CLUSTERS = Number(process.env.OROCHI_BENCH_CLUSTERS ?? 10_000);
const REQUESTS = 300;
const OWNERS = ['team-payments', 'team-search', 'platform-admins'].map(team => `group:default/${team}`);

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))];

async function measure(name: string, knex: Knex) {
  const store = await DatabaseOrochiStore.create({ database: mockServices.database({ knex }) });
  const seeding = performance.now();
  const ids: string[] = [];
  for (let i = 0; i < CLUSTERS; i++) {
    const id = randomUUID();
    const { operation } = await store.createCluster(
      { id, spec: clusterSpec(`listed-${String(i).padStart(5, '0')}`, { owner: OWNERS[i % OWNERS.length] }), status: 'provisioning', driver: 'local', database: 'app', user: 'app', createdBy: 'user:default/bench' },
      { id: randomUUID(), request: { type: 'create', parameters: {} }, requestedBy: 'user:default/bench' },
    );
    const claim = await store.claimOperation('bench-seed', 60_000);
    await store.finishOperation(operation.id, claim!.leaseToken, { state: 'succeeded', clusterStatus: 'ready' });
    ids.push(id);
  }
  console.log(`${name}: seeded ${CLUSTERS} clusters in ${ms(performance.now() - seeding)}`);

  // What the portal's policy answers a member of team-payments and user:default/pat: a condition on the owner.
  const permissionFilter = { key: 'owner' as const, values: ['user:default/pat', OWNERS[0]] };
  const lists: number[] = [];
  const floors: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const offset = (i * 20) % 3000;
    let started = performance.now();
    const page = await store.listClusters({ permissionFilter, limit: 20, offset });
    JSON.stringify(page);
    lists.push(performance.now() - started);
    started = performance.now();
    await knex('clusters').whereIn('id', ids.slice(offset, offset + 20));
    floors.push(performance.now() - started);
  }
  console.log(
    `${name}: GET /clusters (page of 20 of ${Math.round(CLUSTERS / 3)} readable) p50 ${ms(median(lists))}, p99 ${ms(percentile(lists, 99))}; ` +
      `20 rows by id p50 ${ms(median(floors))}, p99 ${ms(percentile(floors, 99))} (target: p99 at most 50 ms)`,
  );
}

export async function listClusters() {
  const directory = scratchDirectory('orochi-bench-list-');
  const sqlite = knexFactory({ client: 'better-sqlite3', connection: { filename: join(directory, 'orochi.sqlite') }, useNullAsDefault: true });
  const postgres = await startTestPostgres();
  const pg = knexFactory({ client: 'pg', connection: postgres.connectionString });
  try {
    await measure('SQLite', sqlite);
    await measure('PostgreSQL', pg);
  } finally {
    await sqlite.destroy();
    await pg.destroy();
    await postgres.stop();
    rmSync(directory, { recursive: true, force: true });
  }
}
