import { BackstageCredentials, LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError, ServiceUnavailableError } from '@backstage/errors';
import {
  APP_DATABASE,
  backupsSchema,
  Cluster,
  ClusterChange,
  ClusterMetrics,
  ClusterPage,
  billingSuspensionMessage,
  ClusterSpec,
  clusterCredentialsReadPermission,
  clusterDeletePermission,
  clusterReadPermission,
  clusterSpecOf,
  clusterUpdatePermission,
  computeUnitsOf,
  ConnectionDetails,
  connectionUri,
  createClusterRequestSchema,
  isBranchOf,
  ListClustersQuery,
  Offering,
  Operation,
  updateClusterRequestSchema,
} from '@orochi/backstage-plugin-orochi-common';
import { ClusterDriver } from '@orochi/backstage-plugin-orochi-node';
import { randomUUID } from 'node:crypto';
import { MetricsStore } from '../database/MetricsStore';
import { OrochiStore } from '../database/OrochiStore';
import { IdempotentRequests } from './IdempotentRequests';
import { toDriverCluster } from '../engine/driverCluster';
import { parseRequest } from './parseRequest';
import { ClusterOperations } from '../operations/ClusterOperations';
import { admitNewCluster } from './admitNewCluster';
import { ClusterAccess } from './ClusterAccess';
import { ClusterAuthorizer } from './ClusterAuthorizer';
import { metricsSeries } from './metricsSeries';
import { planQuotaGuard } from './planQuota';

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;
/** Beyond what PostgreSQL's OFFSET takes comfortably, and far beyond any real page. */
const MAX_OFFSET = 1_000_000_000;

/** Everything the REST API does, with validation, authorization and quotas; the router only translates HTTP. */
export class ClusterService {
  readonly #store: OrochiStore;
  readonly #metrics: MetricsStore;
  readonly #driver: ClusterDriver;
  readonly #driverName: string;
  readonly #offering: Offering;
  readonly #authorizer: ClusterAuthorizer;
  readonly #operations: ClusterOperations;
  readonly #access: ClusterAccess;
  readonly #logger: LoggerService;
  readonly #idempotent: IdempotentRequests;
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
    access: ClusterAccess;
    logger: LoggerService;
  }) {
    this.#store = options.store;
    this.#metrics = options.metrics;
    this.#driver = options.driver;
    this.#driverName = options.driverName;
    this.#offering = options.offering;
    this.#authorizer = options.authorizer;
    this.#operations = options.operations;
    this.#access = options.access;
    this.#idempotent = new IdempotentRequests({ store: options.store, access: options.access });
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
      owner: query.owner?.map(owner => this.#access.normalizeRef(owner, 'group', 'owner')),
      status: query.status,
      search: query.search,
      limit,
      offset,
    });
  }

  async get(credentials: BackstageCredentials, id: string): Promise<Cluster> {
    return this.#access.findReadable(credentials, id);
  }

  async create(credentials: BackstageCredentials, body: unknown, idempotencyKey?: string): Promise<ClusterChange> {
    const requestedBy = this.#access.principal(credentials);
    const scopedKey = this.#idempotent.scope(credentials, idempotencyKey);
    const earlier = await this.#idempotent.earlier(credentials, scopedKey);
    if (earlier) return earlier;
    const request = parseRequest(this.#createSchema, body);
    const cu = computeUnitsOf(this.#offering, request.size);
    const spec: ClusterSpec = {
      name: request.name,
      owner: this.#access.normalizeRef(request.owner, 'group', 'owner'),
      ...(request.system ? { system: this.#access.normalizeRef(request.system, 'system', 'system') } : {}),
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
    await admitNewCluster(
      { access: this.#access, authorizer: this.#authorizer },
      credentials,
      spec,
    );
    return this.#operations.create(
      {
        id: randomUUID(),
        spec,
        driver: this.#driverName,
        database: APP_DATABASE.name,
        user: APP_DATABASE.user,
        createdBy: requestedBy,
        defaultPlan: this.#offering.defaults.plan,
      },
      { requestedBy, idempotencyKey: scopedKey },
      planQuotaGuard(this.#offering, spec),
    );
  }

  async update(credentials: BackstageCredentials, id: string, body: unknown): Promise<ClusterChange> {
    const cluster = await this.#access.findReadable(credentials, id);
    await this.#authorizer.authorize(clusterUpdatePermission, credentials, cluster);
    const { expiresAt, detach, ...request } = parseRequest(this.#updateSchema, body);
    if (request.storageGb !== undefined && request.storageGb < cluster.storageGb) {
      throw new InputError(`storageGb: storage can only grow; the cluster has ${cluster.storageGb} GB`);
    }
    const previous = clusterSpecOf(cluster);
    const spec: ClusterSpec = {
      ...previous,
      ...request,
      ...(request.size ? { cu: computeUnitsOf(this.#offering, request.size) } : {}),
      ...branchChange(cluster, { expiresAt, detach }, this.#offering.branches.maxTtlHours),
    };
    if (detach) delete spec.expiresAt;
    const changed = (Object.keys(spec) as Array<keyof ClusterSpec>).filter(
      key => JSON.stringify(previous[key]) !== JSON.stringify(spec[key]),
    );
    if (detach) changed.push('expiresAt');
    const pick = (source: ClusterSpec) => Object.fromEntries(changed.map(key => [key, source[key]]));
    return this.#operations.start(
      cluster,
      { type: 'update', parameters: { from: pick(previous), to: pick(spec) } },
      spec,
      { requestedBy: this.#access.principal(credentials) },
      { guard: planQuotaGuard(this.#offering, spec, previous) },
    );
  }

  async hibernate(credentials: BackstageCredentials, id: string): Promise<ClusterChange> {
    const cluster = await this.#access.findReadable(credentials, id);
    await this.#authorizer.authorize(clusterUpdatePermission, credentials, cluster);
    // A cluster suspended when idle may be hibernated: then only a user wakes it, no connection.
    if (cluster.hibernated && !cluster.idleSuspended) throw new ConflictError(`Cluster ${cluster.name} is already hibernated`);
    return this.#operations.start(
      cluster,
      { type: 'hibernate', parameters: {} },
      { ...byUser(cluster), hibernated: true },
      { requestedBy: this.#access.principal(credentials) },
    );
  }

  async wake(credentials: BackstageCredentials, id: string): Promise<ClusterChange> {
    const cluster = await this.#access.findReadable(credentials, id);
    await this.#authorizer.authorize(clusterUpdatePermission, credentials, cluster);
    if (!cluster.hibernated) throw new ConflictError(`Cluster ${cluster.name} is not hibernated`);
    if (cluster.billingSuspended) {
      throw new ConflictError(`Cluster ${cluster.name} is suspended by billing: ${billingSuspensionMessage(cluster.billingSuspended)}`);
    }
    return this.#operations.start(
      cluster,
      { type: 'wake', parameters: {} },
      { ...byUser(cluster), hibernated: false },
      { requestedBy: this.#access.principal(credentials) },
    );
  }

  async delete(credentials: BackstageCredentials, id: string): Promise<ClusterChange> {
    const cluster = await this.#access.findReadable(credentials, id);
    await this.#authorizer.authorize(clusterDeletePermission, credentials, cluster);
    const branches = (await this.#store.listAllClusters()).filter(c => isBranchOf(c, cluster.id));
    if (branches.length > 0) {
      // Branches of other teams are counted, not named.
      const named = (await this.#access.readable(credentials, branches)).map(b => b.name);
      const unnamed = branches.length - named.length;
      const list = [...named, ...(unnamed ? [`${unnamed} you cannot see`] : [])].join(', ');
      throw new ConflictError(`Cluster ${cluster.name} has branches (${list}); delete or detach them first`);
    }
    return this.#operations.start(cluster, { type: 'delete', parameters: {} }, clusterSpecOf(cluster), {
      requestedBy: this.#access.principal(credentials),
    });
  }

  async listOperations(credentials: BackstageCredentials, clusterId: string): Promise<Operation[]> {
    await this.#access.findReadable(credentials, clusterId);
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
    await this.#access.findReadable(credentials, id);
    return { points: metricsSeries(await this.#metrics.listSamples(id, Date.now() - minutes * 60_000)) };
  }

  async revealCredentials(credentials: BackstageCredentials, id: string): Promise<ConnectionDetails> {
    const cluster = await this.#access.findReadable(credentials, id);
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
}

/** The cluster's spec as a user's hibernate or wake leaves it: no longer suspended by scale to zero. */
function byUser(cluster: Cluster): ClusterSpec {
  const { idleSuspended: _byIdle, ...spec } = clusterSpecOf(cluster);
  return spec;
}

/** The spec fields a branch's update changes: a new expiry within the maximum, or detaching it from its parent. */
function branchChange(
  cluster: Cluster,
  request: { expiresAt?: string; detach?: true },
  maxTtlHours: number,
): Partial<ClusterSpec> {
  if (!request.expiresAt && !request.detach) return {};
  const field = request.expiresAt ? 'expiresAt' : 'detach';
  if (cluster.parent?.kind !== 'branch') throw new InputError(`${field}: ${cluster.name} is not a branch`);
  if (request.expiresAt && request.detach) throw new InputError('detach: give expiresAt or detach, not both');
  // A detached branch keeps where it came from, as a restored copy does; it no longer expires nor holds its parent.
  if (request.detach) return { parent: { ...cluster.parent, kind: 'restore' } };
  const expiresAt = Date.parse(request.expiresAt!);
  if (expiresAt <= Date.now()) throw new InputError('expiresAt: must be in the future');
  if (expiresAt > Date.now() + maxTtlHours * 3_600_000) {
    throw new InputError(`expiresAt: must be at most ${maxTtlHours} hours from now`);
  }
  return { expiresAt: new Date(expiresAt).toISOString() };
}
