import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import {
  APP_DATABASE,
  branchRequestSchema,
  Cluster,
  ClusterChange,
  clusterCredentialsReadPermission,
  ClusterParent,
  isBranchOf,
  Offering,
  outsideRecoveryWindow,
  restoreRequestSchema,
  RestoreTarget,
  restoreTargetOf,
} from '@orochi/backstage-plugin-orochi-common';
import { randomUUID } from 'node:crypto';
import { OrochiStore } from '../database/OrochiStore';
import { parseRequest } from '../service/parseRequest';
import { ClusterOperations } from '../operations/ClusterOperations';
import { admitNewCluster } from '../service/admitNewCluster';
import { ClusterAccess } from '../service/ClusterAccess';
import { ClusterAuthorizer } from '../service/ClusterAuthorizer';
import { planQuotaGuard } from '../service/planQuota';
import { copySpec } from './copySpec';
import { DriverReads } from './DriverReads';

/**
 * Restores and branches: new clusters made from another's data. The caller needs read on the source, what a
 * credential reveal of it needs (the copy holds its data), and create for the new cluster's owner; the new cluster is written with its `restore` operation, which the driver runs.
 */
export class RestoreService {
  readonly #store: OrochiStore;
  readonly #access: ClusterAccess;
  readonly #authorizer: ClusterAuthorizer;
  readonly #operations: ClusterOperations;
  readonly #reads: DriverReads;
  readonly #offering: Offering;
  readonly #driverName: string;
  readonly #branchSchema: ReturnType<typeof branchRequestSchema>;

  constructor(options: {
    store: OrochiStore;
    access: ClusterAccess;
    authorizer: ClusterAuthorizer;
    operations: ClusterOperations;
    reads: DriverReads;
    offering: Offering;
    driverName: string;
  }) {
    this.#store = options.store;
    this.#access = options.access;
    this.#authorizer = options.authorizer;
    this.#operations = options.operations;
    this.#reads = options.reads;
    this.#offering = options.offering;
    this.#driverName = options.driverName;
    this.#branchSchema = branchRequestSchema(options.offering.branches.maxTtlHours);
  }

  /** A new cluster from the source's backups: at a time, a backup, or (by default) its latest state. */
  async restore(credentials: BackstageCredentials, sourceId: string, body: unknown): Promise<ClusterChange> {
    const source = await this.#access.findReadable(credentials, sourceId);
    const request = parseRequest(restoreRequestSchema, body);
    const target = restoreTargetOf(request, { type: 'latest' });
    return this.#copy(credentials, source, request, target, 'restore');
  }

  /** A branch: a copy of the parent now or at a time, deleted when its time to live ends. */
  async branch(credentials: BackstageCredentials, parentId: string, body: unknown): Promise<ClusterChange> {
    const parent = await this.#access.findReadable(credentials, parentId);
    const request = parseRequest(this.#branchSchema, body);
    const target = restoreTargetOf(request, { type: 'now' });
    const ttlHours = request.ttlHours ?? this.#offering.branches.defaultTtlHours;
    const expiresAt = new Date(Date.now() + ttlHours * 3_600_000).toISOString();
    return this.#copy(credentials, parent, request, target, 'branch', expiresAt);
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
    kind: ClusterParent['kind'],
    expiresAt?: string,
  ): Promise<ClusterChange> {
    // A copy holds all of the source's data, so making one takes what revealing its credentials takes.
    await this.#authorizer.authorize(clusterCredentialsReadPermission, credentials, source);
    await this.#checkTarget(source, target);
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
    await admitNewCluster({ access: this.#access, authorizer: this.#authorizer, offering: this.#offering }, credentials, spec);
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
      { requestedBy },
      planQuotaGuard(this.#offering, spec),
      { type: 'restore', parameters: { sourceClusterId: source.id, target } },
    );
  }

  /** A target the source can reach: running for `now`, inside the window for a time, a completed backup. */
  async #checkTarget(source: Cluster, target: RestoreTarget) {
    if (source.status === 'deleting' || source.status === 'provisioning' || source.status === 'restoring') {
      throw new ConflictError(`Cluster ${source.name} is ${source.status}; it cannot be copied now`);
    }
    if (target.type === 'now') {
      if (source.hibernated || source.status !== 'ready') {
        throw new ConflictError(
          `Cluster ${source.name} is ${source.status}; a copy of it as it is now needs it running. ` +
            'Wake it, or branch from a moment of its recovery window.',
        );
      }
      return;
    }
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
