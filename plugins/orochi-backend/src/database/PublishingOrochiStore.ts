import { LoggerService } from '@backstage/backend-plugin-api';
import { stringifyError } from '@backstage/errors';
import { EventsService } from '@backstage/plugin-events-node';
import {
  ClusterChangedEvent,
  OROCHI_CLUSTER_CHANGED_TOPIC,
} from '@orochi/backstage-plugin-orochi-node';
import { OrochiStore } from './OrochiStore';

/**
 * Publishes an event through Backstage's events service whenever a cluster's spec or status changes, so other
 * plugins (the catalog's entity provider) follow within moments instead of on their next full read. Wraps the
 * store, so no change can forget to announce itself.
 */
export function withChangeEvents(
  store: OrochiStore,
  events: EventsService,
  logger: LoggerService,
): OrochiStore {
  const publish = async (payload: ClusterChangedEvent) => {
    try {
      await events.publish({ topic: OROCHI_CLUSTER_CHANGED_TOPIC, eventPayload: payload });
    } catch (error) {
      // The periodic full read of subscribers catches up; a lost event must not fail the change itself.
      logger.warn(`Could not publish the change of cluster ${payload.name}: ${stringifyError(error)}`);
    }
  };
  return {
    ...bindAll(store),
    async createCluster(cluster, operation, guard) {
      const created = await store.createCluster(cluster, operation, guard);
      await publish({ clusterId: created.cluster.id, name: created.cluster.name, deleted: false });
      return created;
    },
    async startOperation(clusterId, change, operation) {
      const started = await store.startOperation(clusterId, change, operation);
      if (started) await publish({ clusterId, name: started.cluster.name, deleted: false });
      return started;
    },
    async updateObserved(clusterId, observed, status) {
      const changed = await store.updateObserved(clusterId, observed, status);
      const cluster = changed ? await store.getCluster(clusterId) : undefined;
      if (cluster) await publish({ clusterId, name: cluster.name, deleted: false });
      return changed;
    },
    async finishOperation(operationId, leaseToken, outcome) {
      const finished = await store.finishOperation(operationId, leaseToken, outcome);
      await publish({ clusterId: finished.clusterId, name: finished.clusterName, deleted: !!outcome.deleteCluster });
      return finished;
    },
  };
}

/** The store's methods bound to it, so the decorator can pass through the ones it does not wrap. */
function bindAll(store: OrochiStore): OrochiStore {
  const proto = Object.getPrototypeOf(store);
  const bound: Record<string, unknown> = {};
  for (const name of Object.getOwnPropertyNames(proto)) {
    const member = (store as unknown as Record<string, unknown>)[name];
    if (name !== 'constructor' && typeof member === 'function') bound[name] = member.bind(store);
  }
  return bound as unknown as OrochiStore;
}
