import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, isError, stringifyError } from '@backstage/errors';
import {
  AUTOMATIC_REQUESTERS,
  AutoscalingDecision,
  AutoscalingPolicy,
  Cluster,
  clusterPagePath,
  clusterSpecOf,
  Offering,
} from '@orochi/backstage-plugin-orochi-common';
import { randomUUID } from 'node:crypto';
import { AutoscalingDecisionStore } from '../database/AutoscalingDecisionStore';
import { MetricsStore, StoredSample } from '../database/MetricsStore';
import { OrochiStore } from '../database/OrochiStore';
import { ClusterOperations } from '../operations/ClusterOperations';
import { planQuotaGuard } from '../service/planQuota';
import { decide, Verdict } from './policy';
import { recordedInputs, utilizationOf } from './utilization';

export const AUTOSCALING_NOTIFICATION_TOPIC = 'orochi-autoscaling';

/** What one round read for all clusters at once. */
interface Round {
  now: number;
  lastScale: Map<string, number>;
  lastStorageGrow: Map<string, number>;
  samples: Map<string, StoredSample[]>;
}

/**
 * One autoscaler round over every cluster with autoscaling enabled: reads its recent metrics, decides with the
 * policy, records the decision (no change included) and starts the change as an ordinary `update` operation by
 * `orochi:autoscaler`. A cluster busy with another operation is left for the next round; a change the plan
 * refuses is recorded as such and its owners are told once.
 */
export class Autoscaler {
  readonly #store: OrochiStore;
  readonly #metrics: MetricsStore;
  readonly #decisions: AutoscalingDecisionStore;
  readonly #operations: ClusterOperations;
  readonly #offering: Offering;
  readonly #policy: AutoscalingPolicy;
  readonly #notify: (cluster: Cluster, payload: { title: string; description: string; link: string }) => Promise<void>;
  readonly #logger: LoggerService;
  readonly #clock: () => number;

  constructor(options: {
    store: OrochiStore;
    metrics: MetricsStore;
    decisions: AutoscalingDecisionStore;
    operations: ClusterOperations;
    offering: Offering;
    policy: AutoscalingPolicy;
    notify(cluster: Cluster, payload: { title: string; description: string; link: string }): Promise<void>;
    logger: LoggerService;
    clock?: () => number;
  }) {
    this.#store = options.store;
    this.#metrics = options.metrics;
    this.#decisions = options.decisions;
    this.#operations = options.operations;
    this.#offering = options.offering;
    this.#policy = options.policy;
    this.#notify = options.notify;
    this.#logger = options.logger;
    this.#clock = options.clock ?? Date.now;
  }

  /**
   * Reads everything a round needs in a few queries and writes its decisions in one transaction: a round over
   * ten thousand clusters must not cost ten thousand round trips.
   */
  async round(): Promise<void> {
    // A cluster being changed is decided too (as "not now"), so the timeline shows why nothing happened.
    const clusters = (await this.#store.listAllClusters()).filter(
      c => c.autoscaling.enabled && !c.hibernated && (c.status === 'ready' || c.status === 'updating'),
    );
    if (!clusters.length) return;
    const now = this.#clock();
    const round: Round = {
      now,
      lastScale: await this.#decisions.lastStarted(['scale-up', 'scale-down']),
      lastStorageGrow: await this.#decisions.lastStarted(['grow-storage']),
      samples: await this.#metrics.listAllSamples(now - this.#policy.windowSeconds * 1000),
    };
    const decided: AutoscalingDecision[] = [];
    for (const cluster of clusters) {
      try {
        decided.push(await this.#decideFor(cluster, round));
      } catch (error) {
        this.#logger.warn(`The autoscaler could not decide for ${cluster.name}: ${stringifyError(error)}`);
      }
    }
    await this.#decisions.addAll(decided);
  }

  async #decideFor(cluster: Cluster, round: Round): Promise<AutoscalingDecision> {
    const { now } = round;
    const lastScaleAt = round.lastScale.get(cluster.id);
    const lastStorageGrowAt = round.lastStorageGrow.get(cluster.id);
    // Only what the cluster did at its current size tells how that size copes.
    const samples = (round.samples.get(cluster.id) ?? []).filter(s => s.sampledAt >= (lastScaleAt ?? 0));
    const utilization = utilizationOf(samples, cluster);
    const ceiling = this.#offering.plans.find(p => p.name === cluster.plan)?.limits.maxClusterCu ?? Infinity;
    const sizes = [...this.#offering.sizes].filter(s => s.cu <= ceiling).sort((a, b) => a.cu - b.cu);
    let verdict: Verdict = cluster.currentOperationId
      ? { action: 'none', rule: 'Another operation is running; the next round decides' }
      : decide({ cluster, sizes, utilization, lastScaleAt, lastStorageGrowAt, now }, this.#policy);
    let operationId: string | undefined;
    if (verdict.to) {
      const started = await this.#start(cluster, verdict);
      if (typeof started === 'string') {
        operationId = started;
        this.#logger.info(`Autoscaler: ${verdict.action} of ${cluster.name}: ${verdict.rule}`);
      } else {
        verdict = { action: 'none', rule: started.refused };
        if (started.notify) await this.#tellOwnersOfLimit(cluster, verdict.rule);
      }
    }
    return {
      id: randomUUID(),
      clusterId: cluster.id,
      decidedAt: new Date(now).toISOString(),
      action: verdict.action,
      rule: verdict.rule,
      from: { size: cluster.size, cu: cluster.cu, storageGb: cluster.storageGb },
      ...(verdict.to && operationId ? { to: verdict.to } : {}),
      inputs: recordedInputs(utilization),
      ...(operationId ? { operationId } : {}),
    };
  }

  /** Starts the change; answers its operation id, or why it did not start and whether to tell the owners. */
  async #start(cluster: Cluster, verdict: Verdict): Promise<string | { refused: string; notify: boolean }> {
    const to = verdict.to!;
    const previous = clusterSpecOf(cluster);
    const spec = { ...previous, size: to.size, cu: to.cu, storageGb: to.storageGb };
    const changed = (['size', 'cu', 'storageGb'] as const).filter(key => previous[key] !== spec[key]);
    const pick = (source: typeof spec) => Object.fromEntries(changed.map(key => [key, source[key]]));
    try {
      const change = await this.#operations.startIfUnchanged(
        cluster,
        { type: 'update', parameters: { from: pick(previous), to: pick(spec) } },
        spec,
        { requestedBy: AUTOMATIC_REQUESTERS.autoscaler, reason: `${verdict.action}: ${verdict.rule}` },
        { guard: planQuotaGuard(this.#offering, spec, previous) },
      );
      if (change) return change.operation.id;
      return { refused: 'The cluster changed while the round decided; the next round decides again', notify: false };
    } catch (error) {
      if (!isError(error) || error.name !== ConflictError.name) throw error;
      // The plan's limit (or an operation that started meanwhile): say which, and tell the owners of a limit once.
      const refused = `${verdict.rule}, but ${error.message}`;
      const [previousDecision] = await this.#decisions.list(cluster.id, { limit: 1 });
      return { refused, notify: verdict.action === 'grow-storage' && previousDecision?.rule !== refused };
    }
  }

  #tellOwnersOfLimit(cluster: Cluster, rule: string) {
    return this.#notify(cluster, {
      title: `${cluster.name} has reached its plan's storage limit`,
      description: `Orochi could not grow the volume of ${cluster.name}: ${rule}. Free space, or choose a larger plan.`,
      link: clusterPagePath(cluster.id),
    });
  }
}
