import { DatabaseService } from '@backstage/backend-plugin-api';
import { Orphan } from '@orochi/backstage-plugin-orochi-common';
import { Knex } from 'knex';
import { migratedClient } from './migrate';

/** When each orphan was first and last seen, so a grace period can be counted across passes and restarts. */
export interface OrphanStore {
  /** Records that these ids were seen now, and forgets every other orphan of the driver. */
  recordSeen(driver: string, clusterIds: string[], now: number): Promise<Orphan[]>;
  forget(clusterId: string): Promise<void>;
  list(): Promise<Orphan[]>;
}

type OrphanRow = { cluster_id: string; driver: string; first_seen_at: number | string; last_seen_at: number | string };

const toOrphan = (row: OrphanRow): Orphan => ({
  clusterId: row.cluster_id,
  driver: row.driver,
  firstSeenAt: new Date(Number(row.first_seen_at)).toISOString(),
  lastSeenAt: new Date(Number(row.last_seen_at)).toISOString(),
});

export class DatabaseOrphanStore implements OrphanStore {
  static async create(options: { database: DatabaseService }) {
    return new DatabaseOrphanStore(await migratedClient(options.database));
  }

  private constructor(private readonly db: Knex) {}

  async recordSeen(driver: string, clusterIds: string[], now: number) {
    await this.db.transaction(async tx => {
      await tx<OrphanRow>('orphans').where({ driver }).whereNotIn('cluster_id', clusterIds).delete();
      for (const id of clusterIds) {
        await tx<OrphanRow>('orphans')
          .insert({ cluster_id: id, driver, first_seen_at: now, last_seen_at: now })
          .onConflict('cluster_id')
          .merge(['last_seen_at']);
      }
    });
    const rows = await this.db<OrphanRow>('orphans').where({ driver }).orderBy('cluster_id');
    return rows.map(toOrphan);
  }

  async forget(clusterId: string) {
    await this.db<OrphanRow>('orphans').where({ cluster_id: clusterId }).delete();
  }

  async list() {
    const rows = await this.db<OrphanRow>('orphans').orderBy('first_seen_at');
    return rows.map(toOrphan);
  }
}
