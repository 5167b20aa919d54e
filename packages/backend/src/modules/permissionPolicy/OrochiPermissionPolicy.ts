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
import { catalogConditions, createCatalogConditionalDecision } from '@backstage/plugin-catalog-backend/alpha';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import {
  clusterReadPermission,
  OROCHI_CLUSTER_ENTITY_TYPE,
  OROCHI_CLUSTER_RESOURCE_TYPE,
} from '@orochi/backstage-plugin-orochi-common';
import {
  clusterConditions,
  createClusterConditionalDecision,
} from '@orochi/backstage-plugin-orochi-node';

/**
 * The portal's policy. For Orochi: platform admins may do everything; the owners of a cluster (members of its
 * owning group) may create, change and delete it and read its credentials; everyone reads clusters (or only
 * their owners, with `orochi.clusterVisibility: owners`, in the Orochi API and in the catalog). A team's members
 * read and manage its billing (upgrade by paying, budgets); only admins set a plan without payment. Other
 * plugins' permissions are allowed, as in Backstage's default setup.
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
    const ownership = user?.info.ownershipEntityRefs ?? [];
    const isAdmin = ownership.some(ref => this.#platformAdmins.includes(ref));
    if (isPermission(permission, catalogEntityReadPermission) && this.#visibility === 'owners' && !isAdmin) {
      // Clusters hidden in the Orochi API are hidden in the catalog too.
      return createCatalogConditionalDecision(permission, {
        anyOf: [
          { not: catalogConditions.isEntityKind({ kinds: ['Resource'] }) },
          { not: catalogConditions.hasSpec({ key: 'type', value: OROCHI_CLUSTER_ENTITY_TYPE }) },
          catalogConditions.isEntityOwner({ claims: ownership }),
        ],
      });
    }
    if (!permission.name.startsWith('orochi.') || isAdmin) {
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
    return { result: AuthorizeResult.DENY };
  }
}
