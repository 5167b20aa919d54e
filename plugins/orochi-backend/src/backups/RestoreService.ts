import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  APP_DATABASE,
  branchRequestSchema,
  Cluster,
  ClusterChange,
  clusterCredentialsReadPermission,
  ClusterParent,
  DeletedCluster,
  deletedClusterRestorePermission,
  deletedClustersReadPermission,
  isBranchOf,
  Offering,
  outsideRecoveryWindow,
  restoreRequestSchema,
  RestoreTarget,
  restoreTargetOf,
} from '@orochi/backstage-plugin-orochi-common';
import { randomUUID } from 'node:crypto';
import { DeletedClusterStore } from '../database/DeletedClusterStore';
import { OrochiStore } from '../database/OrochiStore';
import { parseRequest } from '../service/parseRequest';
import { ClusterOperations } from '../operations/ClusterOperations';
import { admitNewCluster } from '../service/admitNewCluster';
import { ClusterAccess } from '../service/ClusterAccess';
import { ClusterAuthorizer } from '../service/ClusterAuthorizer';
import { IdempotentRequests } from '../service/IdempotentRequests';
import { planQuotaGuard } from '../service/planQuota';
import { copySpec } from './copySpec';
import { DriverReads } from './DriverReads';

/**
 * Restores and branches: new clusters made from another's data. The caller needs read on the source, what a
 * credential reveal of it needs (the copy holds its data), and create for the new cluster's owner; the new
 * cluster is written with its `restore` operation, which the driver runs. A deleted cluster, whose backups are
 * kept for a grace period, is restored by platform admins.
 */
export class RestoreService {
  readonly #store: OrochiStore;
  readonly #deleted: DeletedClusterStore;
  readonly #deletedClusterGraceMs: number;
  readonly #access: ClusterAccess;
  readonly #authorizer: ClusterAuthorizer;
  readonly #operations: ClusterOperations;
  readonly #reads: DriverReads;
  readonly #offering: Offering;
  readonly #driverName: string;
  readonly #branchSchema: ReturnType<typeof branchRequestSchema>;
  readonly #idempotent: IdempotentRequests;

  constructor(options: {
    store: OrochiStore;
    deletedClusters: DeletedClusterStore;
    /** How long a deleted cluster's backups are kept (`orochi.backups.deletedClusterRetention`). */
    deletedClusterGraceMs: number;
    access: ClusterAccess;
    authorizer: ClusterAuthorizer;
    operations: ClusterOperations;
    reads: DriverReads;
    offering: Offering;
    driverName: string;
  }) {
    this.#store = options.store;
    this.#deleted = options.deletedClusters;
    this.#deletedClusterGraceMs = options.deletedClusterGraceMs;
    this.#access = options.access;
    this.#authorizer = options.authorizer;
    this.#operations = options.operations;
    this.#reads = options.reads;
    this.#offering = options.offering;
    this.#driverName = options.driverName;
    this.#branchSchema = branchRequestSchema(options.offering.branches.maxTtlHours);
    this.#idempotent = new IdempotentRequests({ store: options.store, access: options.access });
  }

  /** A new cluster from the source's backups: at a time, a backup, or (by default) its latest state. */
  async restore(credentials: BackstageCredentials, sourceId: string, body: unknown, idempotencyKey?: string): Promise<ClusterChange> {
    const key = this.#idempotent.scope(credentials, idempotencyKey);
    const earlier = await this.#idempotent.earlier(credentials, key);
    if (earlier) return earlier;
    const source = await this.#access.findReadable(credentials, sourceId);
    const request = parseRequest(restoreRequestSchema, body);
    const target = restoreTargetOf(request, { type: 'latest' });
    await this.#mayCopy(credentials, source);
    await this.#checkLiveTarget(source, target);
    return this.#copy(credentials, source, request, target, { kind: 'restore', idempotencyKey: key });
  }

  /** Deleted clusters whose backups are kept, for those who may restore them. */
  async listDeleted(credentials: BackstageCredentials): Promise<DeletedCluster[]> {
    await this.#authorizer.authorizeBasic(deletedClustersReadPermission, credentials, 'deleted clusters are listed for platform admins');
    return Promise.all(
      (await this.#deleted.list()).map(async deleted => ({
        ...deleted,
        backupsKeptUntil: new Date(Date.parse(deleted.deletedAt) + this.#deletedClusterGraceMs).toISOString(),
        // One unreadable archive leaves the others listed; the log says why.
        recoveryWindow: await this.#reads.recoveryWindow(deleted.cluster).catch(() => undefined),
      })),
    );
  }

  /** A new cluster from a deleted cluster's kept backups: at a time, a backup, or the end of its archive. */
  async restoreDeleted(
    credentials: BackstageCredentials,
    deletedId: string,
    body: unknown,
    idempotencyKey?: string,
  ): Promise<ClusterChange> {
    await this.#authorizer.authorizeBasic(deletedClusterRestorePermission, credentials, 'deleted clusters are restored by platform admins');
    const key = this.#idempotent.scope(credentials, idempotencyKey);
    const earlier = await this.#idempotent.earlier(credentials, key);
    if (earlier) return earlier;
    const deleted = await this.#deleted.get(deletedId);
    if (!deleted) throw new NotFoundError(`No deleted cluster ${deletedId} has its backups kept`);
    const request = parseRequest(restoreRequestSchema, body);
    const target = restoreTargetOf(request, { type: 'latest' });
    await this.#checkReachable(deleted.cluster, target);
    return this.#copy(credentials, deleted.cluster, request, target, { kind: 'restore', idempotencyKey: key });
  }

  /** A branch: a copy of the parent now or at a time, deleted when its time to live ends. */
  async branch(credentials: BackstageCredentials, parentId: string, body: unknown, idempotencyKey?: string): Promise<ClusterChange> {
    const key = this.#idempotent.scope(credentials, idempotencyKey);
    const earlier = await this.#idempotent.earlier(credentials, key);
    if (earlier) return earlier;
    const parent = await this.#access.findReadable(credentials, parentId);
    const request = parseRequest(this.#branchSchema, body);
    const target = restoreTargetOf(request, { type: 'now' });
    const ttlHours = request.ttlHours ?? this.#offering.branches.defaultTtlHours;
    const expiresAt = new Date(Date.now() + ttlHours * 3_600_000).toISOString();
    await this.#mayCopy(credentials, parent);
    await this.#checkLiveTarget(parent, target);
    return this.#copy(credentials, parent, request, target, { kind: 'branch', expiresAt, idempotencyKey: key });
  }

  /** The parent's branches the caller may read, soonest to expire first. */
  async listBranches(credentials: BackstageCredentials, parentId: string): Promise<Cluster[]> {
    const parent = await this.#access.findReadable(credentials, parentId);
    const branches = (await this.#store.listAllClusters()).filter(c => isBranchOf(c, parent.id));
    return (await this.#access.readable(credentials, branches)).sort((a, b) =>
      (a.expiresAt ?? '').localeCompare(b.expiresAt ?? ''),
    );
  }

  async #copy(
    credentials: BackstageCredentials,
    source: Cluster,
    request: { name: string; owner?: string; size?: string },
    target: RestoreTarget,
    copy: { kind: ClusterParent['kind']; expiresAt?: string; idempotencyKey?: string },
  ): Promise<ClusterChange> {
    const { kind, expiresAt, idempotencyKey } = copy;
    const owner = this.#access.normalizeRef(request.owner ?? source.owner, 'group', 'owner');
    const spec = copySpec(
      source,
      { ...request, owner },
      {
        kind,
        ...(target.type === 'time' ? { targetTime: target.time } : {}),
        ...(target.type === 'backup' ? { backupId: target.backupId } : {}),
      },
      this.#offering,
      expiresAt,
    );
    await admitNewCluster({ access: this.#access, authorizer: this.#authorizer }, credentials, spec);
    const requestedBy = this.#access.principal(credentials);
    return this.#operations.create(
      {
        id: randomUUID(),
        spec,
        driver: this.#driverName,
        database: APP_DATABASE.name,
        user: APP_DATABASE.user,
        createdBy: requestedBy,
      },
      { requestedBy, idempotencyKey },
      planQuotaGuard(this.#offering, spec),
      { type: 'restore', parameters: { sourceClusterId: source.id, target } },
    );
  }

  /** A copy holds all of the source's data, so making one takes what revealing its credentials takes. */
  async #mayCopy(credentials: BackstageCredentials, source: Cluster) {
    await this.#authorizer.authorize(clusterCredentialsReadPermission, credentials, source);
  }

  /** A running source for `now`; one that is not changing for the other targets, which must be reachable. */
  async #checkLiveTarget(source: Cluster, target: RestoreTarget) {
    if (source.status === 'deleting' || source.status === 'provisioning' || source.status === 'restoring') {
      throw new ConflictError(`Cluster ${source.name} is ${source.status}; it cannot be copied now`);
    }
    if (target.type !== 'now') {
      await this.#checkReachable(source, target);
    } else if (source.hibernated || source.status !== 'ready') {
      throw new ConflictError(
        `Cluster ${source.name} is ${source.status}; a copy of it as it is now needs it running. ` +
          'Wake it, or branch from a moment of its recovery window.',
      );
    }
  }

  /** A completed backup, or a moment inside the recovery window (its end for `latest`). */
  async #checkReachable(source: Cluster, target: Exclude<RestoreTarget, { type: 'now' }>) {
    if (target.type === 'backup') {
      const backup = (await this.#reads.backups(source)).find(b => b.id === target.backupId);
      if (backup?.state !== 'completed') {
        throw new InputError(`backupId: ${source.name} has no completed backup ${target.backupId}`);
      }
      return;
    }
    const window = await this.#reads.recoveryWindow(source);
    const reason = outsideRecoveryWindow(window, target.type === 'time' ? target.time : (window.latest ?? ''));
    if (reason) throw new InputError(`${target.type === 'time' ? 'targetTime' : 'source'}: ${reason}`);
  }
}
