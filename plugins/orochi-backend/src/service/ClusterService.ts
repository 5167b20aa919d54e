import {
  AuthService,
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotFoundError,
} from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  backupsSchema,
  Cluster,
  ClusterChange,
  ClusterMetrics,
  clusterSpecOf,
  ClusterPage,
  ClusterSpec,
  ClusterStatus,
  clusterCreatePermission,
  clusterCredentialsReadPermission,
  clusterDeletePermission,
  clusterReadPermission,
  clusterUpdatePermission,
  ConnectionDetails,
  createClusterRequestSchema,
  describeValidationError,
  ListClustersQuery,
  Offering,
  Operation,
  OperationType,
  updateClusterRequestSchema,
} from '@orochi/backstage-plugin-orochi-common';
import { ClusterDriver } from '@orochi/backstage-plugin-orochi-node';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { MetricsStore } from '../database/MetricsStore';
import { OrochiStore } from '../database/OrochiStore';
import { metricsSeries } from './metricsSeries';
import { toDriverCluster } from '../engine/driverCluster';
import { ClusterAuthorizer } from './ClusterAuthorizer';
import { QuotaPolicy } from './QuotaPolicy';

/** The status a cluster shows while an operation of each type runs. */
const STATUS_DURING: Record<OperationType, ClusterStatus> = {
  create: 'provisioning',
  update: 'updating',
  hibernate: 'hibernating',
  wake: 'waking',
  delete: 'deleting',
};

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;
const RECONCILER = 'orochi:reconciler';

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
  readonly #quota: QuotaPolicy;
  readonly #catalog: CatalogService;
  readonly #auth: AuthService;
  readonly #logger: LoggerService;
  /** Called after an operation is written, so a worker picks it up at once. */
  readonly #onOperation: () => void;
  readonly #createSchema: ReturnType<typeof createClusterRequestSchema>;
  readonly #updateSchema: ReturnType<typeof updateClusterRequestSchema>;

  constructor(options: {
    store: OrochiStore;
    metrics: MetricsStore;
    driver: ClusterDriver;
    driverName: string;
    offering: Offering;
    authorizer: ClusterAuthorizer;
    quota: QuotaPolicy;
    catalog: CatalogService;
    auth: AuthService;
    logger: LoggerService;
    onOperation(): void;
  }) {
    this.#store = options.store;
    this.#metrics = options.metrics;
    this.#driver = options.driver;
    this.#driverName = options.driverName;
    this.#offering = options.offering;
    this.#authorizer = options.authorizer;
    this.#quota = options.quota;
    this.#catalog = options.catalog;
    this.#auth = options.auth;
    this.#logger = options.logger;
    this.#onOperation = options.onOperation;
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
    const filter = await this.#authorizer.filter(clusterReadPermission, credentials);
    if (filter === 'none') return { items: [], totalCount: 0 };
    return this.#store.listClusters({
      permissionFilter: filter,
      owner: query.owner?.map(owner => this.#normalizeRef(owner, 'group', 'owner')),
      status: query.status,
      search: query.search,
      limit,
      offset: query.offset ?? 0,
    });
  }

  async get(credentials: BackstageCredentials, id: string): Promise<Cluster> {
    const cluster = await this.#find(id);
    await this.#authorizer.authorize(clusterReadPermission, credentials, cluster);
    return cluster;
  }

  async create(
    credentials: BackstageCredentials,
    body: unknown,
    idempotencyKey?: string,
  ): Promise<ClusterChange> {
    const requestedBy = this.#principal(credentials);
    const scopedKey = idempotencyKey && `${requestedBy}:${idempotencyKey}`;
    if (scopedKey) {
      const earlier = await this.#store.findOperationByIdempotencyKey(scopedKey);
      if (earlier) return this.#replay(credentials, earlier);
    }
    const request = parse(this.#createSchema, body);
    const size = this.#offering.sizes.find(s => s.name === request.size)!;
    const spec: ClusterSpec = {
      name: request.name,
      owner: this.#normalizeRef(request.owner, 'group', 'owner'),
      ...(request.system ? { system: this.#normalizeRef(request.system, 'system', 'system') } : {}),
      plan: request.plan,
      size: request.size,
      instances: request.instances,
      storageGb: request.storageGb,
      version: request.version,
      region: request.region,
      autoscaling: request.autoscaling ?? { enabled: false, minCu: size.cu, maxCu: size.cu },
      scaleToZero: request.scaleToZero ?? { enabled: false, idleMinutes: 15 },
      backups: request.backups ?? backupsSchema.parse({ enabled: false }),
      pooling: request.pooling ?? { enabled: false },
      hibernated: false,
    };
    await this.#authorizer.authorize(clusterCreatePermission, credentials, spec);
    await this.#requireInCatalog(spec.owner, 'owner', credentials);
    if (spec.system) await this.#requireInCatalog(spec.system, 'system', credentials);
    await this.#quota.check(spec);
    const change = await this.#store.createCluster(
      {
        id: randomUUID(),
        spec,
        status: STATUS_DURING.create,
        driver: this.#driverName,
        database: 'app',
        user: 'app',
        createdBy: requestedBy,
      },
      { id: randomUUID(), type: 'create', requestedBy, idempotencyKey: scopedKey },
    );
    this.#onOperation();
    return change;
  }

  async update(credentials: BackstageCredentials, id: string, body: unknown): Promise<ClusterChange> {
    const cluster = await this.#find(id);
    await this.#authorizer.authorize(clusterUpdatePermission, credentials, cluster);
    const request = parse(this.#updateSchema, body);
    if (request.storageGb !== undefined && request.storageGb < cluster.storageGb) {
      throw new InputError(`storageGb: storage can only grow; the cluster has ${cluster.storageGb} GB`);
    }
    const spec: ClusterSpec = { ...clusterSpecOf(cluster), ...request };
    await this.#quota.check(spec, clusterSpecOf(cluster));
    return this.#start(cluster, 'update', spec, this.#principal(credentials));
  }

  async hibernate(credentials: BackstageCredentials, id: string): Promise<ClusterChange> {
    const cluster = await this.#find(id);
    await this.#authorizer.authorize(clusterUpdatePermission, credentials, cluster);
    if (cluster.hibernated) throw new ConflictError(`Cluster ${cluster.name} is already hibernated`);
    return this.#start(cluster, 'hibernate', { ...clusterSpecOf(cluster), hibernated: true }, this.#principal(credentials));
  }

  async wake(credentials: BackstageCredentials, id: string): Promise<ClusterChange> {
    const cluster = await this.#find(id);
    await this.#authorizer.authorize(clusterUpdatePermission, credentials, cluster);
    if (!cluster.hibernated) throw new ConflictError(`Cluster ${cluster.name} is not hibernated`);
    return this.#start(cluster, 'wake', { ...clusterSpecOf(cluster), hibernated: false }, this.#principal(credentials));
  }

  async delete(credentials: BackstageCredentials, id: string): Promise<ClusterChange> {
    const cluster = await this.#find(id);
    await this.#authorizer.authorize(clusterDeletePermission, credentials, cluster);
    return this.#start(cluster, 'delete', clusterSpecOf(cluster), this.#principal(credentials));
  }

  /**
   * What the reconciler does when a cluster's servers disagree with its spec. After a failed operation it waits
   * for a person to act instead, so a cluster that cannot start does not get an endless stream of attempts.
   */
  async repair(cluster: Cluster): Promise<void> {
    const [latest] = await this.#store.listClusterOperations(cluster.id, 1);
    if (latest?.state === 'failed') {
      this.#logger.debug(`Not repairing ${cluster.name}: its last operation failed`);
      return;
    }
    const type: OperationType = cluster.hibernated ? 'hibernate' : 'wake';
    try {
      const started = await this.#store.startOperationIfUnchanged(
        cluster,
        { spec: clusterSpecOf(cluster), status: STATUS_DURING[type] },
        { id: randomUUID(), type, requestedBy: RECONCILER },
      );
      if (started) this.#onOperation();
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      this.#logger.debug(`Not repairing ${cluster.name}: an operation is in progress`);
    }
  }

  async listOperations(credentials: BackstageCredentials, clusterId: string): Promise<Operation[]> {
    await this.get(credentials, clusterId);
    return this.#store.listClusterOperations(clusterId, 50);
  }

  async getOperation(credentials: BackstageCredentials, id: string): Promise<Operation> {
    const operation = await this.#store.getOperation(id);
    if (!operation) throw new NotFoundError(`No operation with id ${id}`);
    const { clusterOwner, ...rest } = operation;
    // The cluster may be gone (a finished delete); its owner is kept on the operation for this check.
    await this.#authorizer.authorize(clusterReadPermission, credentials, {
      owner: clusterOwner,
      name: operation.clusterName,
    });
    return rest;
  }

  async metrics(credentials: BackstageCredentials, id: string, minutes: number): Promise<ClusterMetrics> {
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > 24 * 60) {
      throw new InputError('minutes: must be a whole number from 1 to 1440');
    }
    await this.get(credentials, id);
    return { points: metricsSeries(await this.#metrics.listSamples(id, Date.now() - minutes * 60_000)) };
  }

  async revealCredentials(credentials: BackstageCredentials, id: string): Promise<ConnectionDetails> {
    const cluster = await this.#find(id);
    await this.#authorizer.authorize(clusterCredentialsReadPermission, credentials, cluster);
    if (cluster.status === 'provisioning' || cluster.status === 'deleting') {
      throw new ConflictError(`Cluster ${cluster.name} is ${cluster.status}; credentials are not available`);
    }
    const secret = await this.#driver.readCredentials(toDriverCluster(cluster, this.#offering));
    const uri = `postgresql://${encodeURIComponent(secret.user)}:${encodeURIComponent(secret.password)}@${secret.host}:${secret.port}/${encodeURIComponent(secret.database)}`;
    return { ...secret, uri };
  }

  async #start(cluster: Cluster, type: OperationType, spec: ClusterSpec, requestedBy: string) {
    const change = await this.#store.startOperation(
      cluster.id,
      { spec, status: STATUS_DURING[type] },
      { id: randomUUID(), type, requestedBy },
    );
    this.#onOperation();
    return change;
  }

  async #replay(credentials: BackstageCredentials, operation: Operation & { clusterOwner: string }): Promise<ClusterChange> {
    const { clusterOwner: _owner, ...rest } = operation;
    const cluster = await this.#find(operation.clusterId);
    await this.#authorizer.authorize(clusterReadPermission, credentials, cluster);
    return { cluster, operation: rest };
  }

  async #find(id: string): Promise<Cluster> {
    const cluster = await this.#store.getCluster(id);
    if (!cluster) throw new NotFoundError(`No cluster with id ${id}`);
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

  async #requireInCatalog(ref: string, field: string, credentials: BackstageCredentials) {
    const entity = await this.#catalog.getEntityByRef(ref, { credentials });
    if (!entity) {
      throw new InputError(`${field}: ${ref} is not in the catalog`);
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
