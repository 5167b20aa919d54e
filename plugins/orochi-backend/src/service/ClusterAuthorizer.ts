import {
  BackstageCredentials,
  PermissionsRegistryService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  PermissionCriteria,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  createConditionAuthorizer,
  createConditionTransformer,
} from '@backstage/plugin-permission-node';
import { OROCHI_CLUSTER_RESOURCE_TYPE } from '@orochi/backstage-plugin-orochi-common';
import {
  ClusterFilter,
  clusterPermissionResourceRef,
  ClusterPermissionResource,
} from '@orochi/backstage-plugin-orochi-node';

type ClusterPermission = ResourcePermission<typeof OROCHI_CLUSTER_RESOURCE_TYPE>;

/**
 * Asks the permission framework about cluster permissions. Conditional decisions (such as "owners may") are
 * evaluated here against the cluster, or turned into a filter for lists, so no extra round trip is needed.
 */
export class ClusterAuthorizer {
  readonly #permissions: PermissionsService;
  readonly #authorizeConditions: ReturnType<typeof createConditionAuthorizer<ClusterPermissionResource, ClusterFilter>>;
  readonly #toFilter: ReturnType<typeof createConditionTransformer<ClusterFilter>>;

  constructor(options: {
    permissions: PermissionsService;
    permissionsRegistry: PermissionsRegistryService;
  }) {
    this.#permissions = options.permissions;
    const ruleset = options.permissionsRegistry.getPermissionRuleset(clusterPermissionResourceRef);
    this.#authorizeConditions = createConditionAuthorizer(ruleset);
    this.#toFilter = createConditionTransformer(ruleset);
  }

  /** Whether the caller holds `permission` on `cluster`. */
  async isAllowed(
    permission: ClusterPermission,
    credentials: BackstageCredentials,
    cluster: ClusterPermissionResource,
  ): Promise<boolean> {
    const [decision] = await this.#permissions.authorizeConditional([{ permission }], { credentials });
    if (decision.result === AuthorizeResult.CONDITIONAL) {
      return this.#authorizeConditions(decision, cluster);
    }
    return decision.result === AuthorizeResult.ALLOW;
  }

  /** Throws NotAllowedError unless the caller holds `permission` on `cluster`. */
  async authorize(
    permission: ClusterPermission,
    credentials: BackstageCredentials,
    cluster: ClusterPermissionResource & { name?: string },
  ): Promise<void> {
    if (!(await this.isAllowed(permission, credentials, cluster))) {
      throw new NotAllowedError(
        `You may not ${permission.name} for ${cluster.name ? `cluster ${cluster.name}` : `clusters owned by ${cluster.owner}`}`,
      );
    }
  }

  /**
   * The clusters the caller holds `permission` on, as a filter: `undefined` for all of them, `'none'` for none.
   */
  async filter(
    permission: ClusterPermission,
    credentials: BackstageCredentials,
  ): Promise<PermissionCriteria<ClusterFilter> | undefined | 'none'> {
    const [decision] = await this.#permissions.authorizeConditional([{ permission }], { credentials });
    if (decision.result === AuthorizeResult.CONDITIONAL) {
      return this.#toFilter(decision.conditions);
    }
    return decision.result === AuthorizeResult.ALLOW ? undefined : 'none';
  }
}
