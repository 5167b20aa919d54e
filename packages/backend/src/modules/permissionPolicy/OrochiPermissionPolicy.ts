import {
  AuthorizeResult,
  isPermission,
  isResourcePermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  billingReadPermission,
  clusterReadPermission,
  OROCHI_CLUSTER_RESOURCE_TYPE,
} from '@orochi/backstage-plugin-orochi-common';
import {
  clusterConditions,
  createClusterConditionalDecision,
} from '@orochi/backstage-plugin-orochi-node';

/**
 * The portal's policy. For Orochi: platform admins may do everything; the owners of a cluster (members of its
 * owning group) may create, change and delete it and read its credentials; everyone reads clusters (or only
 * their owners, with `orochi.clusterVisibility: owners`) and billing; only admins manage billing. Other plugins' permissions are allowed, as in Backstage's default setup.
 */
export class OrochiPermissionPolicy implements PermissionPolicy {
  readonly #platformAdmins: string[];
  readonly #visibility: 'everyone' | 'owners';

  constructor(options: { platformAdmins: string[]; clusterVisibility: 'everyone' | 'owners' }) {
    this.#platformAdmins = options.platformAdmins;
    this.#visibility = options.clusterVisibility;
  }

  async handle(request: PolicyQuery, user?: PolicyQueryUser): Promise<PolicyDecision> {
    const { permission } = request;
    if (!permission.name.startsWith('orochi.')) {
      return { result: AuthorizeResult.ALLOW };
    }
    const ownership = user?.info.ownershipEntityRefs ?? [];
    if (ownership.some(ref => this.#platformAdmins.includes(ref))) {
      return { result: AuthorizeResult.ALLOW };
    }
    if (isResourcePermission(permission, OROCHI_CLUSTER_RESOURCE_TYPE)) {
      if (isPermission(permission, clusterReadPermission) && this.#visibility === 'everyone') {
        return { result: AuthorizeResult.ALLOW };
      }
      return createClusterConditionalDecision(
        permission,
        clusterConditions.isClusterOwner({ claims: ownership }),
      );
    }
    if (isPermission(permission, billingReadPermission)) {
      return { result: AuthorizeResult.ALLOW };
    }
    return { result: AuthorizeResult.DENY };
  }
}
