import { AuthService, BackstageCredentials } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { Cluster, clusterReadPermission } from '@orochi/backstage-plugin-orochi-common';
import { OrochiStore } from '../database/OrochiStore';
import { ClusterAuthorizer } from './ClusterAuthorizer';

/** What every API service needs to find a caller's clusters, name the caller, and check the refs they send. */
export class ClusterAccess {
  readonly #store: OrochiStore;
  readonly #authorizer: ClusterAuthorizer;
  readonly #catalog: CatalogService;
  readonly #auth: AuthService;

  constructor(options: { store: OrochiStore; authorizer: ClusterAuthorizer; catalog: CatalogService; auth: AuthService }) {
    this.#store = options.store;
    this.#authorizer = options.authorizer;
    this.#catalog = options.catalog;
    this.#auth = options.auth;
  }

  /** The cluster, if the caller may see it; one they may not see answers as if it did not exist. */
  async findReadable(credentials: BackstageCredentials, id: string): Promise<Cluster> {
    const cluster = await this.#store.getCluster(id);
    if (!cluster || !(await this.#authorizer.isAllowed(clusterReadPermission, credentials, cluster))) {
      throw new NotFoundError(`No cluster with id ${id}`);
    }
    return cluster;
  }

  /** The clusters of `clusters` the caller may see. */
  async readable(credentials: BackstageCredentials, clusters: Cluster[]): Promise<Cluster[]> {
    const allowed = await Promise.all(
      clusters.map(cluster => this.#authorizer.isAllowed(clusterReadPermission, credentials, cluster)),
    );
    return clusters.filter((_, index) => allowed[index]);
  }

  /** A full entity ref of `kind`, or InputError naming the field. */
  normalizeRef(ref: string, kind: 'group' | 'system', field: string): string {
    let parsed;
    try {
      parsed = parseEntityRef(ref, { defaultKind: kind, defaultNamespace: 'default' });
    } catch (error) {
      throw new InputError(`${field}: "${ref}" is not an entity ref`);
    }
    if (parsed.kind.toLocaleLowerCase('en-US') !== kind) {
      throw new InputError(`${field}: must be a ${kind}, not a ${parsed.kind}`);
    }
    return stringifyEntityRef(parsed);
  }

  /** What a request names must exist before anyone is told they may not use it. */
  async requireInCatalog(ref: string, field: string, kind: string, credentials: BackstageCredentials) {
    const entity = await this.#catalog.getEntityByRef(ref, { credentials });
    if (!entity) {
      throw new InputError(`${field}: no such ${kind} in the catalog: ${ref}`);
    }
  }

  /** Who the caller is, as operations record it. */
  principal(credentials: BackstageCredentials): string {
    if (this.#auth.isPrincipal(credentials, 'user')) {
      return credentials.principal.userEntityRef;
    }
    if (this.#auth.isPrincipal(credentials, 'service')) {
      return credentials.principal.subject;
    }
    return 'unknown';
  }
}
