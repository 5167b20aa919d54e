import { ConflictError } from '@backstage/errors';
import { Offering, ClusterSpec } from '@orochi/backstage-plugin-orochi-common';
import { OrochiStore } from '../database/OrochiStore';

/**
 * Checked before any change that grows what a team uses. The default enforces each plan's cluster count and
 * storage limits per owning team; billing adds budgets later.
 */
export interface QuotaPolicy {
  /** Throws if `owner` may not have `next` (`previous` is the cluster's current spec when it changes). */
  check(next: ClusterSpec, previous?: ClusterSpec): Promise<void>;
}

export class PlanQuotaPolicy implements QuotaPolicy {
  constructor(
    private readonly store: OrochiStore,
    private readonly offering: Offering,
  ) {}

  async check(next: ClusterSpec, previous?: ClusterSpec) {
    const plan = this.offering.plans.find(p => p.name === next.plan);
    if (!plan) return;
    const others = (await this.store.listAllClusters(next.owner)).filter(
      c => c.plan === next.plan && c.name !== next.name,
    );
    const { maxClusters, maxStorageGb } = plan.limits;
    if (!previous && maxClusters !== undefined && others.length >= maxClusters) {
      throw new ConflictError(
        `plan: the ${plan.title} plan allows ${maxClusters} cluster(s) per team and ${next.owner} has ${others.length}`,
      );
    }
    const storage = others.reduce((sum, c) => sum + c.storageGb, 0) + next.storageGb;
    if (maxStorageGb !== undefined && storage > maxStorageGb && next.storageGb > (previous?.storageGb ?? 0)) {
      throw new ConflictError(
        `storageGb: the ${plan.title} plan allows ${maxStorageGb} GB per team; ${next.owner} would have ${storage} GB`,
      );
    }
  }
}
