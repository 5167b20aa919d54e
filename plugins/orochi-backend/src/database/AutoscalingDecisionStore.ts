import { DatabaseService } from '@backstage/backend-plugin-api';
import { AutoscalingAction, AutoscalingDecision } from '@orochi/backstage-plugin-orochi-common';
import { Knex } from 'knex';
import { migratedClient } from './migrate';

/** The autoscaler's decisions: its record of what it did and why, and the clock its cooldowns run on. */
export interface AutoscalingDecisionStore {
  /** Writes a round's decisions in one transaction. */
  addAll(decisions: AutoscalingDecision[]): Promise<void>;
  /** The cluster's decisions since `sinceMs`, newest first, at most `limit`. */
  list(clusterId: string, options: { sinceMs?: number; limit: number }): Promise<AutoscalingDecision[]>;
  /** Per cluster, when the autoscaler last started an operation of one of these actions, epoch ms. */
  lastStarted(actions: AutoscalingAction[]): Promise<Map<string, number>>;
  /** Drops decisions older than `beforeMs`; answers how many. */
  prune(beforeMs: number): Promise<number>;
}

type DecisionRow = {
  id: string;
  cluster_id: string;
  decided_at: number | string;
  action: string;
  rule: string;
  change: string;
  inputs: string;
  operation_id: string | null;
};

const toDecision = (row: DecisionRow): AutoscalingDecision => ({
  id: row.id,
  clusterId: row.cluster_id,
  decidedAt: new Date(Number(row.decided_at)).toISOString(),
  action: row.action as AutoscalingAction,
  rule: row.rule,
  ...JSON.parse(row.change),
  inputs: JSON.parse(row.inputs),
  ...(row.operation_id ? { operationId: row.operation_id } : {}),
});

export class DatabaseAutoscalingDecisionStore implements AutoscalingDecisionStore {
  static async create(options: { database: DatabaseService }) {
    return new DatabaseAutoscalingDecisionStore(await migratedClient(options.database));
  }

  private constructor(private readonly db: Knex) {}

  async addAll(decisions: AutoscalingDecision[]) {
    const rows = decisions.map(decision => ({
      id: decision.id,
      cluster_id: decision.clusterId,
      decided_at: Date.parse(decision.decidedAt),
      action: decision.action,
      rule: decision.rule,
      change: JSON.stringify({ from: decision.from, ...(decision.to ? { to: decision.to } : {}) }),
      inputs: JSON.stringify(decision.inputs),
      operation_id: decision.operationId ?? null,
    }));
    // Chunks keep each statement under the databases' limits on bound parameters.
    await this.db.batchInsert('autoscaling_decisions', rows, 100);
  }

  async list(clusterId: string, options: { sinceMs?: number; limit: number }) {
    const rows = await this.db<DecisionRow>('autoscaling_decisions')
      .where({ cluster_id: clusterId })
      .where('decided_at', '>=', options.sinceMs ?? 0)
      .orderBy('decided_at', 'desc')
      .limit(options.limit);
    return rows.map(toDecision);
  }

  async lastStarted(actions: AutoscalingAction[]) {
    const rows: Array<{ cluster_id: string; at: number | string }> = await this.db('autoscaling_decisions')
      .whereIn('action', actions)
      .whereNotNull('operation_id')
      .groupBy('cluster_id')
      .select('cluster_id')
      .max({ at: 'decided_at' });
    return new Map(rows.map(row => [row.cluster_id, Number(row.at)]));
  }

  async prune(beforeMs: number) {
    return this.db<DecisionRow>('autoscaling_decisions').where('decided_at', '<', beforeMs).delete();
  }
}
