import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { clusterCreatePermission, ClusterSpec } from '@orochi/backstage-plugin-orochi-common';
import { ClusterAccess } from './ClusterAccess';
import { ClusterAuthorizer } from './ClusterAuthorizer';

/**
 * The checks every new cluster passes, whether created, restored or branched: what it names exists and the caller
 * may create clusters for its owner. The cluster has its team's plan; quotas are checked when the cluster is
 * written (planQuotaGuard), under the owner's lock.
 */
export async function admitNewCluster(
  deps: { access: ClusterAccess; authorizer: ClusterAuthorizer },
  credentials: BackstageCredentials,
  spec: ClusterSpec,
): Promise<void> {
  const { access, authorizer } = deps;
  await access.requireInCatalog(spec.owner, 'owner', 'group', credentials);
  if (spec.system) await access.requireInCatalog(spec.system, 'system', 'system', credentials);
  await authorizer.authorize(clusterCreatePermission, credentials, spec);
}
