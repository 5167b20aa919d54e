import {
  AuthService,
  BackstageCredentials,
  PermissionsRegistryService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
  Permission,
  PermissionCriteria,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  createConditionAuthorizer,
  createConditionTransformer,
} from '@backstage/plugin-permission-node';
import {
  OROCHI_CLUSTER_RESOURCE_TYPE,
  SERVICE_READ_PERMISSIONS,
} from '@orochi/backstage-plugin-orochi-common';
import {
  ClusterFilter,
  clusterPermissionResourceRef,
  ClusterPermissionResource,
} from '@orochi/backstage-plugin-orochi-node';

type ClusterPermission = ResourcePermission<typeof OROCHI_CLUSTER_RESOURCE_TYPE>;

/** Which services, by their subject, hold which Orochi permissions beyond reading (`orochi.serviceAccess`). */
export type ServiceAccess = ReadonlyMap<string, ReadonlySet<string>>;

/**
 * Asks the permission framework about cluster permissions. Conditional decisions (such as "owners may") are
 * evaluated here against the cluster, or turned into a filter for lists, so no extra round trip is needed.
 *
 * Backstage's permission client allows service principals whatever their token is not restricted from, without
 * asking the policy. So a service may only read here, unless configuration names it for a permission: changing
 * clusters and revealing credentials are for users (decided by the policy) and the services named.
 */
export class ClusterAuthorizer {
  readonly #permissions: PermissionsService;
  readonly #auth: AuthService;
  readonly #serviceAccess: ServiceAccess;
  readonly #authorizeConditions: ReturnType<typeof createConditionAuthorizer<ClusterPermissionResource, ClusterFilter>>;
  readonly #toFilter: ReturnType<typeof createConditionTransformer<ClusterFilter>>;

  constructor(options: {
    permissions: PermissionsService;
    permissionsRegistry: PermissionsRegistryService;
    auth: AuthService;
    serviceAccess: ServiceAccess;
  }) {
    this.#permissions = options.permissions;
    this.#auth = options.auth;
    this.#serviceAccess = options.serviceAccess;
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
    if (!this.#serviceMay(permission, credentials)) return false;
    const [decision] = await this.#permissions.authorizeConditional([{ permission }], { credentials });
    if (decision.result === AuthorizeResult.CONDITIONAL) {
      return this.#authorizeConditions(decision, cluster);
    }
    return decision.result === AuthorizeResult.ALLOW;
  }

  /** Throws NotAllowedError unless the caller holds a permission that is not about one cluster. */
  async authorizeBasic(permission: BasicPermission, credentials: BackstageCredentials, reason: string): Promise<void> {
    const allowed =
      this.#serviceMay(permission, credentials) &&
      (await this.#permissions.authorize([{ permission }], { credentials }))[0].result === AuthorizeResult.ALLOW;
    if (!allowed) throw new NotAllowedError(`You may not ${permission.name}: ${reason}`);
  }

  /** False for a service that configuration does not name for a permission other than reading. */
  #serviceMay(permission: Permission, credentials: BackstageCredentials): boolean {
    if (!this.#auth.isPrincipal(credentials, 'service')) return true;
    if (SERVICE_READ_PERMISSIONS.includes(permission.name)) return true;
    return this.#serviceAccess.get(credentials.principal.subject)?.has(permission.name) ?? false;
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
    if (!this.#serviceMay(permission, credentials)) return 'none';
    const [decision] = await this.#permissions.authorizeConditional([{ permission }], { credentials });
    if (decision.result === AuthorizeResult.CONDITIONAL) {
      return this.#toFilter(decision.conditions);
    }
    return decision.result === AuthorizeResult.ALLOW ? undefined : 'none';
  }
}
