import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { migratedClient } from './migrate';

/** Records the expiry warnings sent, so each expiry of a branch is announced once. */
export interface BranchWarningStore {
  /** True for the one caller that records this expiry first; false when it was already announced. */
  claim(clusterId: string, expiresAt: string, now: number): Promise<boolean>;
  /** Forgets the warnings of clusters that no longer exist. */
  forgetAllBut(clusterIds: string[]): Promise<void>;
}

type WarningRow = { cluster_id: string; expires_at: string; sent_at: number };

export class DatabaseBranchWarningStore implements BranchWarningStore {
  static async create(options: { database: DatabaseService }) {
    return new DatabaseBranchWarningStore(await migratedClient(options.database));
  }

  private constructor(private readonly db: Knex) {}

  async claim(clusterId: string, expiresAt: string, now: number) {
    const inserted = await this.db<WarningRow>('branch_expiry_warnings')
      .insert({ cluster_id: clusterId, expires_at: expiresAt, sent_at: now })
      .onConflict(['cluster_id', 'expires_at'])
      .ignore()
      .returning('cluster_id');
    return inserted.length > 0;
  }

  async forgetAllBut(clusterIds: string[]) {
    await this.db<WarningRow>('branch_expiry_warnings').whereNotIn('cluster_id', clusterIds).delete();
  }
}
