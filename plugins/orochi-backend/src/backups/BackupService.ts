import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import {
  Backup,
  ClusterChange,
  clusterSpecOf,
  clusterUpdatePermission,
  RecoveryWindow,
} from '@orochi/backstage-plugin-orochi-common';
import { randomUUID } from 'node:crypto';
import { ClusterOperations } from '../operations/ClusterOperations';
import { ClusterAccess } from '../service/ClusterAccess';
import { ClusterAuthorizer } from '../service/ClusterAuthorizer';
import { DriverReads } from './DriverReads';

/** Backups through the API: backing up now, listing backups, and the window a cluster can be restored to. */
export class BackupService {
  readonly #access: ClusterAccess;
  readonly #authorizer: ClusterAuthorizer;
  readonly #operations: ClusterOperations;
  readonly #reads: DriverReads;

  constructor(options: {
    access: ClusterAccess;
    authorizer: ClusterAuthorizer;
    operations: ClusterOperations;
    reads: DriverReads;
  }) {
    this.#access = options.access;
    this.#authorizer = options.authorizer;
    this.#operations = options.operations;
    this.#reads = options.reads;
  }

  /** Starts a manual base backup of a running cluster (orochi.cluster.update). */
  async backupNow(credentials: BackstageCredentials, clusterId: string): Promise<ClusterChange> {
    const cluster = await this.#access.findReadable(credentials, clusterId);
    await this.#authorizer.authorize(clusterUpdatePermission, credentials, cluster);
    if (cluster.status !== 'ready' || cluster.hibernated) {
      throw new ConflictError(`Cluster ${cluster.name} is ${cluster.status}; only a ready cluster can be backed up`);
    }
    return this.#operations.start(
      cluster,
      { type: 'backup', parameters: { backupId: randomUUID(), kind: 'manual' } },
      clusterSpecOf(cluster),
      { requestedBy: this.#access.principal(credentials) },
    );
  }

  async list(credentials: BackstageCredentials, clusterId: string): Promise<Backup[]> {
    return this.#reads.backups(await this.#access.findReadable(credentials, clusterId));
  }

  async recoveryWindow(credentials: BackstageCredentials, clusterId: string): Promise<RecoveryWindow> {
    return this.#reads.recoveryWindow(await this.#access.findReadable(credentials, clusterId));
  }
}
