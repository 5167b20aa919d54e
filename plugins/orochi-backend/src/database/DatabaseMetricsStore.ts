import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { migratedClient } from './migrate';
import { MetricsStore, StoredSample } from './MetricsStore';

type MetricsRow = {
  cluster_id: string;
  sampled_at: number | string;
  connections: number;
  active_sessions: number;
  last_activity_at: number | string | null;
  transactions_total: number | string;
  cpu_seconds_total: number | string;
  memory_bytes: number | string;
  storage_bytes: number | string;
};

const toSample = (row: MetricsRow): StoredSample => ({
  sampledAt: Number(row.sampled_at),
  connections: Number(row.connections),
  activeSessions: Number(row.active_sessions),
  ...(row.last_activity_at !== null ? { lastActivityAt: new Date(Number(row.last_activity_at)).toISOString() } : {}),
  transactionsTotal: Number(row.transactions_total),
  cpuSecondsTotal: Number(row.cpu_seconds_total),
  memoryBytes: Number(row.memory_bytes),
  storageBytes: Number(row.storage_bytes),
});

/** The knex implementation of {@link MetricsStore}. */
export class DatabaseMetricsStore implements MetricsStore {
  static async create(options: { database: DatabaseService }): Promise<DatabaseMetricsStore> {
    return new DatabaseMetricsStore(await migratedClient(options.database));
  }

  private constructor(private readonly db: Knex) {}

  async addSample(clusterId: string, sample: StoredSample) {
    await this.db<MetricsRow>('cluster_metrics')
      .insert({
        cluster_id: clusterId,
        sampled_at: sample.sampledAt,
        connections: sample.connections,
        active_sessions: sample.activeSessions,
        last_activity_at: sample.lastActivityAt ? Date.parse(sample.lastActivityAt) : null,
        transactions_total: sample.transactionsTotal,
        cpu_seconds_total: sample.cpuSecondsTotal,
        memory_bytes: sample.memoryBytes,
        storage_bytes: sample.storageBytes,
      })
      .onConflict(['cluster_id', 'sampled_at'])
      .ignore();
  }

  async listSamples(clusterId: string, sinceMs: number) {
    const rows = await this.db<MetricsRow>('cluster_metrics')
      .where({ cluster_id: clusterId })
      .andWhere('sampled_at', '>=', sinceMs)
      .orderBy('sampled_at');
    return rows.map(toSample);
  }

  async listAllSamples(sinceMs: number) {
    const rows = await this.db<MetricsRow>('cluster_metrics').where('sampled_at', '>=', sinceMs).orderBy('sampled_at');
    const samples = new Map<string, StoredSample[]>();
    for (const row of rows) {
      const list = samples.get(row.cluster_id) ?? [];
      list.push(toSample(row));
      samples.set(row.cluster_id, list);
    }
    return samples;
  }

  async prune(beforeMs: number) {
    await this.db<MetricsRow>('cluster_metrics').where('sampled_at', '<', beforeMs).delete();
    await this.db<MetricsRow>('cluster_metrics')
      .whereNotIn('cluster_id', this.db('clusters').select('id'))
      .delete();
  }
}
