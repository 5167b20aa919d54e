import { AuthService, BackstageCredentials, LoggerService } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError, InputError, NotFoundError, ServiceUnavailableError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  APP_DATABASE,
  backupsSchema,
  billingManagePermission,
  Cluster,
  ClusterChange,
  ClusterMetrics,
  ClusterPage,
  ClusterSpec,
  clusterCreatePermission,
  clusterCredentialsReadPermission,
  clusterDeletePermission,
  clusterReadPermission,
  clusterSpecOf,
  clusterUpdatePermission,
  computeUnitsOf,
  ConnectionDetails,
  connectionUri,
  createClusterRequestSchema,
  describeValidationError,
  ListClustersQuery,
  Offering,
  Operation,
  updateClusterRequestSchema,
} from '@orochi/backstage-plugin-orochi-common';
import { ClusterDriver } from '@orochi/backstage-plugin-orochi-node';
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { MetricsStore } from '../database/MetricsStore';
import { OperationRecord, OrochiStore } from '../database/OrochiStore';
import { toDriverCluster } from '../engine/driverCluster';
import { ClusterOperations } from '../operations/ClusterOperations';
import { ClusterAuthorizer } from './ClusterAuthorizer';
import { metricsSeries } from './metricsSeries';
import { planQuotaGuard } from './planQuota';

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;
/** Beyond what PostgreSQL's OFFSET takes comfortably, and far beyond any real page. */
const MAX_OFFSET = 1_000_000_000;
const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

function parse<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new InputError(describeValidationError(result.error));
  }
  return result.data;
}

/** Everything the REST API does, with validation, authorization and quotas; the router only translates HTTP. */
export class ClusterService {
  readonly #store: OrochiStore;
  readonly #metrics: MetricsStore;
  readonly #driver: ClusterDriver;
  readonly #driverName: string;
  readonly #offering: Offering;
  readonly #authorizer: ClusterAuthorizer;
  readonly #operations: ClusterOperations;
  readonly #catalog: CatalogService;
  readonly #auth: AuthService;
  readonly #logger: LoggerService;
  readonly #createSchema: ReturnType<typeof createClusterRequestSchema>;
  readonly #updateSchema: ReturnType<typeof updateClusterRequestSchema>;

  constructor(options: {
    store: OrochiStore;
    metrics: MetricsStore;
    driver: ClusterDriver;
    driverName: string;
    offering: Offering;
    authorizer: ClusterAuthorizer;
    operations: ClusterOperations;
    catalog: CatalogService;
    auth: AuthService;
    logger: LoggerService;
  }) {
    this.#store = options.store;
    this.#metrics = options.metrics;
    this.#driver = options.driver;
    this.#driverName = options.driverName;
    this.#offering = options.offering;
    this.#authorizer = options.authorizer;
    this.#operations = options.operations;
    this.#catalog = options.catalog;
    this.#auth = options.auth;
    this.#logger = options.logger;
    this.#createSchema = createClusterRequestSchema(options.offering);
    this.#updateSchema = updateClusterRequestSchema(options.offering);
  }

  get offering(): Offering {
    return this.#offering;
  }

  async list(credentials: BackstageCredentials, query: ListClustersQuery): Promise<ClusterPage> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    if (limit < 1 || limit > MAX_PAGE_SIZE) {
      throw new InputError(`limit: must be between 1 and ${MAX_PAGE_SIZE}`);
    }
    const offset = query.offset ?? 0;
    if (offset > MAX_OFFSET) throw new InputError(`offset: must be at most ${MAX_OFFSET}`);
    const filter = await this.#authorizer.filter(clusterReadPermission, credentials);
    if (filter === 'none') return { items: [], totalCount: 0 };
    return this.#store.listClusters({
      permissionFilter: filter,
      owner: query.owner?.map(owner => this.#normalizeRef(owner, 'group', 'owner')),
      status: query.status,
      search: query.search,
      limit,
      offset,
    });
  }

  async get(credentials: BackstageCredentials, id: string): Promise<Cluster> {
    return this.#findReadable(credentials, id);
  }

  async create(credentials: BackstageCredentials, body: unknown, idempotencyKey?: string): Promise<ClusterChange> {
    const requestedBy = this.#principal(credentials);
    const scopedKey = idempotencyKey === undefined ? undefined : scopeIdempotencyKey(requestedBy, idempotencyKey);
    if (scopedKey) {
      const earlier = await this.#store.findOperationByIdempotencyKey(scopedKey);
      if (earlier) return this.#replay(credentials, earlier);
    }
    const request = parse(this.#createSchema, body);
    const cu = computeUnitsOf(this.#offering, request.size);
    const spec: ClusterSpec = {
      name: request.name,
      owner: this.#normalizeRef(request.owner, 'group', 'owner'),
      ...(request.system ? { system: this.#normalizeRef(request.system, 'system', 'system') } : {}),
      plan: request.plan,
      size: request.size,
      cu,
      instances: request.instances,
      storageGb: request.storageGb,
      version: request.version,
      region: request.region,
      autoscaling: request.autoscaling ?? { enabled: false, minCu: cu, maxCu: cu },
      scaleToZero: request.scaleToZero ?? { enabled: false, idleMinutes: 15 },
      backups: request.backups ?? backupsSchema.parse({ enabled: false }),
      pooling: request.pooling ?? { enabled: false },
      hibernated: false,
    };
    // What the request names must exist before anyone is told they may not use it.
    await this.#requireInCatalog(spec.owner, 'owner', 'group', credentials);
    if (spec.system) await this.#requireInCatalog(spec.system, 'system', 'system', credentials);
    await this.#authorizer.authorize(clusterCreatePermission, credentials, spec);
    if (spec.plan !== this.#offering.defaults.plan) {
      await this.#authorizer.authorizeBasic(
        billingManagePermission,
        credentials,
        `choosing the ${spec.plan} plan instead of ${this.#offering.defaults.plan} is a billing decision`,
      );
    }
    return this.#operations.create(
      {
        id: randomUUID(),
        spec,
        driver: this.#driverName,
        database: APP_DATABASE.name,
        user: APP_DATABASE.user,
        createdBy: requestedBy,
      },
      { requestedBy, idempotencyKey: scopedKey },
      planQuotaGuard(this.#offering, spec),
    );
  }

  async update(credentials: BackstageCredentials, id: string, body: unknown): Promise<ClusterChange> {
    const cluster = await this.#findReadable(credentials, id);
    await this.#authorizer.authorize(clusterUpdatePermission, credentials, cluster);
    const request = parse(this.#updateSchema, body);
    if (request.storageGb !== undefined && request.storageGb < cluster.storageGb) {
      throw new InputError(`storageGb: storage can only grow; the cluster has ${cluster.storageGb} GB`);
    }
    const previous = clusterSpecOf(cluster);
    const spec: ClusterSpec = {
      ...previous,
      ...request,
      ...(request.size ? { cu: computeUnitsOf(this.#offering, request.size) } : {}),
    };
    const changed = (Object.keys(request) as Array<keyof typeof request>).filter(
      key => JSON.stringify(previous[key]) !== JSON.stringify(spec[key]),
    );
    const pick = (source: ClusterSpec) => Object.fromEntries(changed.map(key => [key, source[key]]));
    return this.#operations.start(
      cluster,
      { type: 'update', parameters: { from: pick(previous), to: pick(spec) } },
      spec,
      { requestedBy: this.#principal(credentials) },
      { guard: planQuotaGuard(this.#offering, spec, previous) },
    );
  }

  async hibernate(credentials: BackstageCredentials, id: string): Promise<ClusterChange> {
    const cluster = await this.#findReadable(credentials, id);
    await this.#authorizer.authorize(clusterUpdatePermission, credentials, cluster);
    if (cluster.hibernated) throw new ConflictError(`Cluster ${cluster.name} is already hibernated`);
    return this.#operations.start(
      cluster,
      { type: 'hibernate', parameters: {} },
      { ...clusterSpecOf(cluster), hibernated: true },
      { requestedBy: this.#principal(credentials) },
    );
  }

  async wake(credentials: BackstageCredentials, id: string): Promise<ClusterChange> {
    const cluster = await this.#findReadable(credentials, id);
    await this.#authorizer.authorize(clusterUpdatePermission, credentials, cluster);
    if (!cluster.hibernated) throw new ConflictError(`Cluster ${cluster.name} is not hibernated`);
    return this.#operations.start(
      cluster,
      { type: 'wake', parameters: {} },
      { ...clusterSpecOf(cluster), hibernated: false },
      { requestedBy: this.#principal(credentials) },
    );
  }

  async delete(credentials: BackstageCredentials, id: string): Promise<ClusterChange> {
    const cluster = await this.#findReadable(credentials, id);
    await this.#authorizer.authorize(clusterDeletePermission, credentials, cluster);
    return this.#operations.start(cluster, { type: 'delete', parameters: {} }, clusterSpecOf(cluster), {
      requestedBy: this.#principal(credentials),
    });
  }

  async listOperations(credentials: BackstageCredentials, clusterId: string): Promise<Operation[]> {
    await this.#findReadable(credentials, clusterId);
    return this.#store.listClusterOperations(clusterId, 50);
  }

  async getOperation(credentials: BackstageCredentials, id: string): Promise<Operation> {
    const operation = await this.#store.getOperation(id);
    // The cluster may be gone (a finished delete); its owner is kept on the operation for this check.
    const readable =
      operation &&
      (await this.#authorizer.isAllowed(clusterReadPermission, credentials, { owner: operation.clusterOwner }));
    if (!readable) throw new NotFoundError(`No operation with id ${id}`);
    const { clusterOwner: _owner, ...rest } = operation;
    return rest as Operation;
  }

  async metrics(credentials: BackstageCredentials, id: string, minutes: number): Promise<ClusterMetrics> {
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > 24 * 60) {
      throw new InputError('minutes: must be a whole number from 1 to 1440');
    }
    await this.#findReadable(credentials, id);
    return { points: metricsSeries(await this.#metrics.listSamples(id, Date.now() - minutes * 60_000)) };
  }

  async revealCredentials(credentials: BackstageCredentials, id: string): Promise<ConnectionDetails> {
    const cluster = await this.#findReadable(credentials, id);
    await this.#authorizer.authorize(clusterCredentialsReadPermission, credentials, cluster);
    if (cluster.status === 'provisioning' || cluster.status === 'deleting') {
      throw new ConflictError(`Cluster ${cluster.name} is ${cluster.status}; credentials are not available`);
    }
    const [latest] = await this.#store.listClusterOperations(cluster.id, 1);
    if (latest?.type === 'create' && latest.state === 'failed') {
      throw new ConflictError(`Cluster ${cluster.name} could not be created, so it has no credentials: ${latest.error}`);
    }
    let secret;
    try {
      secret = await this.#driver.readCredentials(toDriverCluster(cluster));
    } catch (error) {
      // The driver's error may name files or hosts; the caller learns only that it failed.
      this.#logger.error(`Could not read the credentials of ${cluster.name}`, error as Error);
      throw new ServiceUnavailableError(`The credentials of ${cluster.name} could not be read; the backend log says why`);
    }
    return { ...secret, uri: connectionUri(secret) };
  }

  async #replay(credentials: BackstageCredentials, operation: OperationRecord): Promise<ClusterChange> {
    const { clusterOwner: _owner, ...rest } = operation;
    const cluster = await this.#findReadable(credentials, operation.clusterId);
    return { cluster, operation: rest as Operation };
  }

  /** The cluster, if the caller may see it; one they may not see answers as if it did not exist. */
  async #findReadable(credentials: BackstageCredentials, id: string): Promise<Cluster> {
    const cluster = await this.#store.getCluster(id);
    if (!cluster || !(await this.#authorizer.isAllowed(clusterReadPermission, credentials, cluster))) {
      throw new NotFoundError(`No cluster with id ${id}`);
    }
    return cluster;
  }

  #normalizeRef(ref: string, kind: 'group' | 'system', field: string): string {
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

  async #requireInCatalog(ref: string, field: string, kind: string, credentials: BackstageCredentials) {
    const entity = await this.#catalog.getEntityByRef(ref, { credentials });
    if (!entity) {
      throw new InputError(`${field}: no such ${kind} in the catalog: ${ref}`);
    }
  }

  #principal(credentials: BackstageCredentials): string {
    if (this.#auth.isPrincipal(credentials, 'user')) {
      return credentials.principal.userEntityRef;
    }
    if (this.#auth.isPrincipal(credentials, 'service')) {
      return credentials.principal.subject;
    }
    return 'unknown';
  }
}

/**
 * Keys are scoped to who sent them, so two callers' keys never collide, and stored as a digest, so a key of
 * any allowed length fits the column.
 */
function scopeIdempotencyKey(requestedBy: string, key: string): string {
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH || !/^[\x20-\x7e]+$/.test(key)) {
    throw new InputError(`Idempotency-Key: must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters`);
  }
  return `sha256:${createHash('sha256').update(`${requestedBy}\n${key}`).digest('hex')}`;
}
