import { ConflictError } from '@backstage/errors';
import { billingSuspensionMessage, ClusterSpec, Offering } from '@orochi/backstage-plugin-orochi-common';
import { OwnerGuard } from '../database/OrochiStore';

/** Storage a cluster's volumes take: every instance has its own. */
function storageOf(spec: Pick<ClusterSpec, 'storageGb' | 'instances'>): number {
  return spec.storageGb * spec.instances;
}

/**
 * The team's plan's limits on what it has, as a guard the store runs inside the transaction that writes `next`
 * (`previous` is the cluster's spec before a change): the number of clusters per team, and the storage of all
 * the team's volumes, and the size of one cluster. Only a change that grows what the team uses is refused.
 */
export function planQuotaGuard(offering: Offering, next: ClusterSpec, previous?: ClusterSpec): OwnerGuard {
  return (others, account) => {
    if (account.suspension && !previous) {
      throw new ConflictError(`owner: ${next.owner}'s clusters are suspended by billing: ${billingSuspensionMessage(account.suspension)}`);
    }
    const plan = offering.plans.find(p => p.name === account.plan);
    if (!plan) return;
    const { maxClusters, maxStorageGb, maxClusterCu } = plan.limits;
    if (maxClusterCu !== undefined && next.cu > maxClusterCu && next.cu > (previous?.cu ?? 0)) {
      throw new ConflictError(`size: the ${plan.title} plan allows clusters of at most ${maxClusterCu} CU; ${next.size} has ${next.cu}`);
    }
    if (!previous && maxClusters !== undefined && others.length >= maxClusters) {
      throw new ConflictError(
        `plan: the ${plan.title} plan allows ${maxClusters} cluster(s) per team and ${next.owner} has ${others.length}`,
      );
    }
    const storage = others.reduce((sum, c) => sum + storageOf(c), 0) + storageOf(next);
    const grows = storageOf(next) > (previous ? storageOf(previous) : 0);
    if (maxStorageGb !== undefined && storage > maxStorageGb && grows) {
      throw new ConflictError(
        `storageGb: the ${plan.title} plan allows ${maxStorageGb} GB per team across all instances; ` +
          `${next.owner} would have ${storage} GB`,
      );
    }
  };
}
