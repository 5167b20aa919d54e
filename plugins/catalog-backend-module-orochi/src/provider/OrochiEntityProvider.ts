import {
  AuthService,
  DiscoveryService,
  LoggerService,
  SchedulerServiceTaskRunner,
} from '@backstage/backend-plugin-api';
import { ResponseError, stringifyError } from '@backstage/errors';
import {
  DeferredEntity,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { EventsService } from '@backstage/plugin-events-node';
import { Cluster, clusterEntityRef, OrochiApi, OrochiClient } from '@orochi/backstage-plugin-orochi-common';
import {
  ClusterChangedEvent,
  OROCHI_CLUSTER_CHANGED_TOPIC,
} from '@orochi/backstage-plugin-orochi-node';
import { randomUUID } from 'node:crypto';
import { clusterEntity } from './clusterEntity';

const PAGE_SIZE = 1000;

/**
 * Every Orochi cluster as a catalog entity. A full mutation on a schedule replaces the provider's entities with
 * what the Orochi API lists; between those, each cluster change the Orochi backend announces on the events
 * service becomes a delta mutation of that one entity.
 */
export class OrochiEntityProvider implements EntityProvider {
  readonly #taskRunner: SchedulerServiceTaskRunner;
  readonly #events: EventsService;
  readonly #auth: AuthService;
  readonly #discovery: DiscoveryService;
  readonly #api: OrochiApi;
  readonly #appBaseUrl: string;
  readonly #logger: LoggerService;
  #connection?: EntityProviderConnection;

  constructor(options: {
    taskRunner: SchedulerServiceTaskRunner;
    events: EventsService;
    auth: AuthService;
    discovery: DiscoveryService;
    appBaseUrl: string;
    logger: LoggerService;
    api?: OrochiApi;
  }) {
    this.#taskRunner = options.taskRunner;
    this.#events = options.events;
    this.#auth = options.auth;
    this.#discovery = options.discovery;
    this.#appBaseUrl = options.appBaseUrl;
    this.#logger = options.logger.child({ target: this.getProviderName() });
    this.#api = options.api ?? new OrochiClient({ discoveryApi: options.discovery });
  }

  getProviderName(): string {
    return 'orochi';
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.#connection = connection;
    await this.#events.subscribe({
      id: 'orochi-entity-provider',
      topics: [OROCHI_CLUSTER_CHANGED_TOPIC],
      onEvent: async ({ eventPayload }) => this.applyChange(eventPayload as ClusterChangedEvent),
    });
    await this.#taskRunner.run({
      id: `${this.getProviderName()}:refresh`,
      fn: async () => {
        const logger = this.#logger.child({ taskInstanceId: randomUUID() });
        try {
          await this.refresh(logger);
        } catch (error) {
          logger.error(`Reading Orochi clusters failed: ${stringifyError(error)}`);
        }
      },
    });
  }

  /** The full mutation: every cluster the Orochi API lists. */
  async refresh(logger: LoggerService = this.#logger): Promise<void> {
    const connection = this.#requireConnection();
    const started = Date.now();
    const entities: DeferredEntity[] = [];
    const token = await this.#token();
    for (let offset = 0; ; offset += PAGE_SIZE) {
      const page = await this.#api.listClusters({ limit: PAGE_SIZE, offset }, { token });
      for (const cluster of page.items) entities.push(await this.#deferred(cluster));
      if (page.items.length < PAGE_SIZE) break;
    }
    await connection.applyMutation({ type: 'full', entities });
    logger.info(`Applied ${entities.length} Orochi clusters in ${Date.now() - started} ms`);
  }

  /** The delta mutation for one announced change. */
  async applyChange(change: ClusterChangedEvent): Promise<void> {
    const connection = this.#requireConnection();
    const removal = {
      type: 'delta' as const,
      added: [],
      removed: [{ entityRef: clusterEntityRef(change.name), locationKey: this.getProviderName() }],
    };
    if (change.deleted) {
      await connection.applyMutation(removal);
      return;
    }
    try {
      const cluster = await this.#api.getCluster(change.clusterId, { token: await this.#token() });
      await connection.applyMutation({ type: 'delta', added: [await this.#deferred(cluster)], removed: [] });
    } catch (error) {
      if (!(error instanceof ResponseError && error.statusCode === 404)) throw error;
      await connection.applyMutation(removal);
    }
  }

  async #deferred(cluster: Cluster): Promise<DeferredEntity> {
    return {
      locationKey: this.getProviderName(),
      entity: clusterEntity(cluster, {
        appBaseUrl: this.#appBaseUrl,
        apiBaseUrl: await this.#discovery.getExternalBaseUrl('orochi'),
      }),
    };
  }

  /** A token for the Orochi API as this plugin: the catalog shows every cluster, like every other entity. */
  async #token(): Promise<string> {
    const { token } = await this.#auth.getPluginRequestToken({
      onBehalfOf: await this.#auth.getOwnServiceCredentials(),
      targetPluginId: 'orochi',
    });
    return token;
  }

  #requireConnection(): EntityProviderConnection {
    if (!this.#connection) throw new Error('The Orochi entity provider is not connected');
    return this.#connection;
  }
}
