import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError, ServiceUnavailableError } from '@backstage/errors';
import { clusterWakeOnConnectPermission } from '@orochi/backstage-plugin-orochi-common';
import { WakeRefusedError } from '@orochi/backstage-plugin-orochi-node';
import { OrochiStore } from '../database/OrochiStore';
import { ClusterAuthorizer } from '../service/ClusterAuthorizer';
import { WakeOnConnect } from './WakeOnConnect';

/**
 * Wake on connect for connection proxies outside the backend (the standalone proxy in Kubernetes): the same wake
 * the local driver's proxy asks for, for callers holding `orochi.cluster.wakeOnConnect`, answered once the cluster
 * accepts connections.
 */
export class WakeOnConnectService {
  readonly #store: OrochiStore;
  readonly #authorizer: ClusterAuthorizer;
  readonly #wakeOnConnect: WakeOnConnect;
  readonly #timeoutMs: number;

  constructor(options: { store: OrochiStore; authorizer: ClusterAuthorizer; wakeOnConnect: WakeOnConnect; timeoutMs: number }) {
    this.#store = options.store;
    this.#authorizer = options.authorizer;
    this.#wakeOnConnect = options.wakeOnConnect;
    this.#timeoutMs = options.timeoutMs;
  }

  /** Resolves once the cluster is ready; `signal` is the caller going away. */
  async wake(credentials: BackstageCredentials, id: string, signal: AbortSignal): Promise<void> {
    const cluster = await this.#store.getCluster(id);
    if (!cluster) throw new NotFoundError(`No cluster with id ${id}`);
    await this.#authorizer.authorize(clusterWakeOnConnectPermission, credentials, cluster);
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    try {
      await this.#wakeOnConnect.wake(id, AbortSignal.any([signal, timeout]));
    } catch (error) {
      if (error instanceof WakeRefusedError) throw new ConflictError(error.message);
      if (timeout.aborted) {
        throw new ServiceUnavailableError(`cluster ${cluster.name} did not accept connections within ${this.#timeoutMs / 1000} s`);
      }
      throw error;
    }
  }
}
