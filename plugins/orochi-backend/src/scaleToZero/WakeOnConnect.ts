import { LoggerService } from '@backstage/backend-plugin-api';
import { stringifyError } from '@backstage/errors';
import { AUTOMATIC_REQUESTERS, billingSuspensionMessage, Cluster, clusterSpecOf } from '@orochi/backstage-plugin-orochi-common';
import { WakeRefusedError } from '@orochi/backstage-plugin-orochi-node';
import { OrochiStore } from '../database/OrochiStore';
import { ClusterOperations } from '../operations/ClusterOperations';

/** How often a held client's cluster is looked at while it wakes: the wake itself takes a few hundred ms. */
const POLL_MS = 20;

/**
 * What the driver asks when a client connects to a stopped cluster. A cluster suspended when idle is woken by an
 * ordinary `wake` operation started by `orochi:wake-on-connect` (once, however many clients connect meanwhile;
 * one suspending first wakes once suspended), and the client is answered once it is ready. A cluster a user
 * hibernated stays down, and the client is told so.
 */
export class WakeOnConnect {
  readonly #store: OrochiStore;
  readonly #operations: ClusterOperations;
  readonly #logger: LoggerService;

  constructor(options: { store: OrochiStore; operations: ClusterOperations; logger: LoggerService }) {
    this.#store = options.store;
    this.#operations = options.operations;
    this.#logger = options.logger;
  }

  async wake(clusterId: string, signal: AbortSignal): Promise<void> {
    let started = false;
    for (;;) {
      const cluster = await this.#store.getCluster(clusterId);
      if (!cluster) throw new WakeRefusedError('the cluster no longer exists');
      if (cluster.status === 'ready' && !cluster.hibernated) return;
      if (cluster.billingSuspended) {
        throw new WakeRefusedError(`cluster ${cluster.name} is suspended: ${billingSuspensionMessage(cluster.billingSuspended)}`);
      }
      if (cluster.hibernated && !cluster.idleSuspended) {
        throw new WakeRefusedError(`cluster ${cluster.name} is hibernated by a user; wake it in Orochi to connect`);
      }
      if (cluster.status === 'failed' && !cluster.currentOperationId) {
        throw new WakeRefusedError(`cluster ${cluster.name} failed to start: ${cluster.statusMessage ?? 'see its page in Orochi'}`);
      }
      if (cluster.idleSuspended && !cluster.currentOperationId && !started) started = await this.#start(cluster);
      signal.throwIfAborted();
      await new Promise(resolve => setTimeout(resolve, POLL_MS));
    }
  }

  /** Starts the wake; false when another replica or client did first (the cluster changed since it was read). */
  async #start(cluster: Cluster): Promise<boolean> {
    const { idleSuspended: _waking, ...spec } = clusterSpecOf(cluster);
    try {
      const change = await this.#operations.startIfUnchanged(
        cluster,
        { type: 'wake', parameters: {} },
        { ...spec, hibernated: false },
        { requestedBy: AUTOMATIC_REQUESTERS.wakeOnConnect, reason: 'a client connected to the suspended cluster' },
      );
      if (change) this.#logger.info(`Waking ${cluster.name}: a client connected`);
      return !!change;
    } catch (error) {
      // Another operation started meanwhile (a user's wake, say): the loop waits for it.
      this.#logger.debug(`Did not start a wake of ${cluster.name}: ${stringifyError(error)}`);
      return false;
    }
  }
}
