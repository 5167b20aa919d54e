// One autoscaler round over 10,000 clusters with autoscaling enabled, on the real stores (SQLite), each with a
// minute of metrics samples, next to the same round's floor: reading every cluster record once.
import { mockServices } from '@backstage/backend-test-utils';
import { Autoscaler } from '@orochi/backstage-plugin-orochi-backend/src/autoscaling/Autoscaler';
import { DatabaseAutoscalingDecisionStore } from '@orochi/backstage-plugin-orochi-backend/src/database/AutoscalingDecisionStore';
import { DatabaseMetricsStore } from '@orochi/backstage-plugin-orochi-backend/src/database/DatabaseMetricsStore';
import { DatabaseOrochiStore } from '@orochi/backstage-plugin-orochi-backend/src/database/DatabaseOrochiStore';
import { ClusterOperations } from '@orochi/backstage-plugin-orochi-backend/src/operations/ClusterOperations';
import { DEFAULT_AUTOSCALING_POLICY, defaultOffering } from '@orochi/backstage-plugin-orochi-common';
import { clusterSpec } from '@orochi/test-utils';
import knexFactory from 'knex';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { median, ms, scratchDirectory, summary } from './lib';

const CLUSTERS = Number(process.env.OROCHI_BENCH_CLUSTERS ?? 10_000);
const RUNS = 3;
const silentLogger: any = { info() {}, warn() {}, error() {}, debug() {}, child: () => silentLogger };

export async function autoscaler() {
  const directory = scratchDirectory('orochi-bench-autoscaler-');
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: join(directory, 'orochi.sqlite') },
    useNullAsDefault: true,
  });
  const database = mockServices.database({ knex });
  const store = await DatabaseOrochiStore.create({ database });
  const metrics = await DatabaseMetricsStore.create({ database });
  const decisions = await DatabaseAutoscalingDecisionStore.create({ database });
  try {
    const seeding = performance.now();
    const now = Date.now();
    for (let i = 0; i < CLUSTERS; i++) {
      const spec = clusterSpec(`scaled-${String(i).padStart(5, '0')}`, { autoscaling: { enabled: true, minCu: 1, maxCu: 4 } });
      const id = randomUUID();
      const { operation } = await store.createCluster(
        { id, spec, status: 'provisioning', driver: 'local', database: 'app', user: 'app', createdBy: 'user:default/bench' },
        { id: randomUUID(), request: { type: 'create', parameters: {} }, requestedBy: 'user:default/bench' },
      );
      const claim = await store.claimOperation('bench-seed', 60_000);
      await store.finishOperation(operation.id, claim!.leaseToken, { state: 'succeeded', clusterStatus: 'ready' });
      // A minute at 40 % of one vCPU: inside the targets, the usual round's "no change".
      for (let t = 4; t >= 1; t--) {
        await metrics.addSample(id, {
          sampledAt: now - t * 15_000,
          cpuSecondsTotal: (4 - t) * 6,
          memoryBytes: 300 * 2 ** 20,
          storageBytes: 2 ** 30,
          connections: 2,
          activeSessions: 1,
          transactionsTotal: 0,
        });
      }
    }
    console.log(`seeded ${CLUSTERS} clusters with 4 samples each in ${ms(performance.now() - seeding)}`);

    const operations = new ClusterOperations({ store, onStarted: () => undefined });
    const round = new Autoscaler({
      store,
      metrics,
      decisions,
      operations,
      offering: defaultOffering([15]),
      policy: DEFAULT_AUTOSCALING_POLICY,
      notify: async () => undefined,
      logger: silentLogger,
    });
    const rounds: number[] = [];
    const reads: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      let started = performance.now();
      await store.listAllClusters();
      reads.push(performance.now() - started);
      started = performance.now();
      await round.round();
      rounds.push(performance.now() - started);
    }
    console.log(`one autoscaler round over ${CLUSTERS} clusters: ${summary(rounds)}`);
    console.log(`reading the ${CLUSTERS} cluster records alone:    ${summary(reads)}`);
    console.log(`ratio round / read (medians): ${(median(rounds) / median(reads)).toFixed(1)} (target: round at most 1 s)`);
  } finally {
    await knex.destroy();
    rmSync(directory, { recursive: true, force: true });
  }
}
