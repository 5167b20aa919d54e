import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  billingManagePermission,
  clusterCreatePermission,
  ClusterSpec,
  Offering,
} from '@orochi/backstage-plugin-orochi-common';
import { ClusterAccess } from './ClusterAccess';
import { ClusterAuthorizer } from './ClusterAuthorizer';

/**
 * The checks every new cluster passes, whether created, restored or branched: what it names exists, the caller
 * may create clusters for its owner, and only billing managers choose a plan other than the default. Quotas are
 * checked when the cluster is written (planQuotaGuard), under the owner's lock.
 */
export async function admitNewCluster(
  deps: { access: ClusterAccess; authorizer: ClusterAuthorizer; offering: Offering },
  credentials: BackstageCredentials,
  spec: ClusterSpec,
): Promise<void> {
  const { access, authorizer, offering } = deps;
  await access.requireInCatalog(spec.owner, 'owner', 'group', credentials);
  if (spec.system) await access.requireInCatalog(spec.system, 'system', 'system', credentials);
  await authorizer.authorize(clusterCreatePermission, credentials, spec);
  if (spec.plan !== offering.defaults.plan) {
    await authorizer.authorizeBasic(
      billingManagePermission,
      credentials,
      `choosing the ${spec.plan} plan instead of ${offering.defaults.plan} is a billing decision`,
    );
  }
}
