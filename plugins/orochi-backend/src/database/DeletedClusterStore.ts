import { DatabaseService } from '@backstage/backend-plugin-api';
import { DeletedCluster } from '@orochi/backstage-plugin-orochi-common';
import { Knex } from 'knex';
import { migratedClient } from './migrate';
import { ClusterRow, toCluster } from './rows';

/** A deleted cluster as recorded; how long its backups are kept is configuration, what they reach the driver's. */
export type DeletedClusterRecord = Omit<DeletedCluster, 'backupsKeptUntil' | 'recoveryWindow'>;

/**
 * Clusters whose deletion finished, while the driver keeps their backups: what an admin restores them from
 * (their spec, owner and name; the backups themselves are the driver's).
 */
export interface DeletedClusterStore {
  /** Last deleted first. */
  list(): Promise<DeletedClusterRecord[]>;
  get(id: string): Promise<DeletedClusterRecord | undefined>;
  /** Forgets the clusters deleted before `deletedBefore`, whose backups are removed; answers their ids. */
  forgetDeletedBefore(deletedBefore: Date): Promise<string[]>;
}

type DeletedClusterRow = {
  id: string;
  name: string;
  owner: string;
  cluster: string;
  deleted_by: string;
  deleted_at: string;
};

const toRecord = (row: DeletedClusterRow): DeletedClusterRecord => ({
  cluster: JSON.parse(row.cluster),
  deletedAt: row.deleted_at,
  deletedBy: row.deleted_by,
});

/** Writes the record of a cluster whose row `tx` deletes, in the same transaction. */
export async function recordDeletedCluster(tx: Knex.Transaction, row: ClusterRow, deletedBy: string, deletedAt: string) {
  const { currentOperationId: _ended, ...cluster } = toCluster(row);
  await tx<DeletedClusterRow>('deleted_clusters')
    .insert({ id: row.id, name: row.name, owner: row.owner, cluster: JSON.stringify(cluster), deleted_by: deletedBy, deleted_at: deletedAt })
    .onConflict('id')
    .merge();
}

export class DatabaseDeletedClusterStore implements DeletedClusterStore {
  static async create(options: { database: DatabaseService }) {
    return new DatabaseDeletedClusterStore(await migratedClient(options.database));
  }

  private constructor(private readonly db: Knex) {}

  async list() {
    const rows = await this.db<DeletedClusterRow>('deleted_clusters').orderBy('deleted_at', 'desc');
    return rows.map(toRecord);
  }

  async get(id: string) {
    const row = await this.db<DeletedClusterRow>('deleted_clusters').where({ id }).first();
    return row ? toRecord(row) : undefined;
  }

  async forgetDeletedBefore(deletedBefore: Date) {
    return this.db.transaction(async tx => {
      const rows = await tx<DeletedClusterRow>('deleted_clusters')
        .where('deleted_at', '<', deletedBefore.toISOString())
        .select('id');
      await tx<DeletedClusterRow>('deleted_clusters').whereIn('id', rows.map(r => r.id)).delete();
      return rows.map(r => r.id);
    });
  }
}
