import {
  Cluster,
  ClusterChange,
  ClusterSpec,
  operationParametersSchemas,
  OperationRequest,
  STATUS_DURING_OPERATION,
} from '@orochi/backstage-plugin-orochi-common';
import { randomUUID } from 'node:crypto';
import { NewCluster, OrochiStore, OwnerGuard } from '../database/OrochiStore';

/** Who starts an operation and why: a person or service, or one of Orochi's own jobs with its reason. */
export interface OperationStarter {
  requestedBy: string;
  reason?: string;
  idempotencyKey?: string;
}

/**
 * The one place operations are started, for the API, the reconciler and scheduled jobs. It writes the operation
 * with the cluster's new desired spec and the status its type shows while it runs, keeps one operation per
 * cluster (ConflictError otherwise), and wakes the engine so a worker picks the operation up at once.
 */
export class ClusterOperations {
  readonly #store: OrochiStore;
  readonly #onStarted: () => void;

  constructor(options: { store: OrochiStore; onStarted(): void }) {
    this.#store = options.store;
    this.#onStarted = options.onStarted;
  }

  /**
   * Writes a new cluster with the operation that makes it: `create` (an empty database) unless `request` says
   * otherwise (a `restore` from another cluster).
   */
  async create(
    cluster: Omit<NewCluster, 'status'>,
    starter: OperationStarter,
    guard?: OwnerGuard,
    request: OperationRequest = { type: 'create', parameters: {} },
  ): Promise<ClusterChange> {
    const change = await this.#store.createCluster(
      { ...cluster, status: STATUS_DURING_OPERATION[request.type] },
      { id: randomUUID(), request: checked(request), ...starter },
      guard,
    );
    this.#onStarted();
    return change;
  }

  /** Starts an operation on an existing cluster, which gets `spec` as its desired state. */
  async start(
    cluster: Cluster,
    request: OperationRequest,
    spec: ClusterSpec,
    starter: OperationStarter,
    options: { guard?: OwnerGuard } = {},
  ): Promise<ClusterChange> {
    const change = await this.#store.startOperation(
      cluster.id,
      { spec, status: STATUS_DURING_OPERATION[request.type], guard: options.guard },
      { id: randomUUID(), request: checked(request), ...starter },
    );
    this.#onStarted();
    return change!;
  }

  /**
   * Like {@link start}, for automatic operations decided on a cluster as it was read: starts nothing (and answers
   * undefined) when the cluster changed since, so a decision is never made on stale state.
   */
  async startIfUnchanged(
    cluster: Cluster,
    request: OperationRequest,
    spec: ClusterSpec,
    starter: OperationStarter,
    options: { guard?: OwnerGuard } = {},
  ): Promise<ClusterChange | undefined> {
    const change = await this.#store.startOperation(
      cluster.id,
      { spec, status: STATUS_DURING_OPERATION[request.type], ifUpdatedAt: cluster.updatedAt, guard: options.guard },
      { id: randomUUID(), request: checked(request), ...starter },
    );
    if (change) this.#onStarted();
    return change;
  }
}

/** Parameters are built by code, not users: one that does not match its schema is a bug, caught before it is stored. */
function checked(request: OperationRequest): OperationRequest {
  operationParametersSchemas[request.type].parse(request.parameters);
  return request;
}
