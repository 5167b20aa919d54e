import { LoggerService } from '@backstage/backend-plugin-api';
import { stringifyError } from '@backstage/errors';
import { PostgresProxy, ProxyListenerStats, ProxyRefusal, ProxyTarget } from '@orochi/orochi-proxy';
import { WakeRefusedError } from '@orochi/backstage-plugin-orochi-node';
import { join } from 'node:path';
import { ClusterMeta, ClusterStorage } from './ClusterStorage';
import { SUPERUSER } from './constants';
import { ServerControl } from './ServerControl';

/** What the proxy asks when a client connects to a cluster whose server is not running. */
export type WakeOnConnect = (clusterId: string, signal: AbortSignal) => Promise<void>;

/**
 * The address clients keep for a cluster: the local driver's primaries listen only on their Unix socket, and an
 * Orochi connection proxy listens on each cluster's port. A client of a running server is relayed to its
 * socket at once; one of a stopped server waits while the wake handler wakes it (or tells it why not). The
 * proxy runs in the backend: while the backend is down, clusters cannot be reached by TCP.
 */
export class LocalConnectionProxy {
  readonly #storage: ClusterStorage;
  readonly #servers: ServerControl;
  readonly #listenAddress: string;
  readonly #logger: LoggerService;
  readonly #proxy: PostgresProxy;
  /** Listening port to cluster id. */
  readonly #clusters = new Map<number, string>();
  #wake?: WakeOnConnect;

  constructor(options: { storage: ClusterStorage; servers: ServerControl; listenAddress: string; logger: LoggerService }) {
    this.#storage = options.storage;
    this.#servers = options.servers;
    this.#listenAddress = options.listenAddress;
    this.#logger = options.logger;
    this.#proxy = new PostgresProxy({
      resolve: ({ listenPort }, signal) => this.#resolve(listenPort, signal),
      logger: { info: message => this.#logger.debug(message), warn: (message, error) => this.#logger.warn(`${message}: ${stringifyError(error)}`) },
      // The servers trust the superuser on their socket, where the proxy relays: it must never relay the superuser.
      startup: {
        check: parameters => {
          if (parameters.user === SUPERUSER) {
            throw new ProxyRefusal(`${SUPERUSER} is Orochi's own role; connect as the application role`, '28000');
          }
          if (parameters.replication) throw new ProxyRefusal('replication connections are not offered', '28000');
        },
      },
      // The backend's HTTP server keeps the process alive; listeners must not keep it from exiting.
      keepProcessAlive: false,
    });
  }

  onConnectWhileStopped(wake: WakeOnConnect) {
    this.#wake = wake;
  }

  /** Whether the proxy holds this port (so the port is the cluster's, not another program's). */
  holds(port: number): boolean {
    return this.#clusters.has(port);
  }

  /** Listens on the cluster's primary port, if it does not yet. */
  async ensure(meta: ClusterMeta) {
    const port = meta.ports[0];
    if (this.#clusters.get(port) === meta.id) return;
    const previous = [...this.#clusters].find(([, id]) => id === meta.id)?.[0];
    if (previous !== undefined) await this.close(meta.id);
    await this.#proxy.listen({ port, host: this.#listenAddress });
    this.#clusters.set(port, meta.id);
  }

  /** Listens for every cluster of this installation, after a backend start. */
  async adoptAll() {
    for (const id of await this.#storage.ownClusterIds()) {
      const meta = await this.#storage.readMeta(id);
      if (!meta?.ports.length) continue;
      // A server made before the proxy still listens on the port itself until its next apply restarts it.
      await this.ensure(meta).catch(error => this.#logger.warn(`Cannot listen for cluster ${meta.name}: ${stringifyError(error)}`));
    }
  }

  async close(clusterId: string) {
    for (const [port, id] of this.#clusters) {
      if (id !== clusterId) continue;
      this.#clusters.delete(port);
      await this.#proxy.close(port);
    }
  }

  async closeAll() {
    this.#clusters.clear();
    await this.#proxy.closeAll();
  }

  stats(clusterId: string): ProxyListenerStats | undefined {
    const port = [...this.#clusters].find(([, id]) => id === clusterId)?.[0];
    return port === undefined ? undefined : this.#proxy.stats(port);
  }

  async #resolve(port: number, signal: AbortSignal): Promise<ProxyTarget> {
    const id = this.#clusters.get(port);
    if (!id) throw new ProxyRefusal('no Orochi cluster listens on this port any more', '3D000');
    if (!(await this.#servers.state(id, 0)).ready) {
      if (!this.#wake) throw new ProxyRefusal('the cluster is not running', '57P03');
      try {
        await this.#wake(id, signal);
      } catch (error) {
        if (error instanceof WakeRefusedError) throw new ProxyRefusal(error.message, '57P03');
        throw error;
      }
    }
    return { path: join(this.#storage.files.socketDirectory(id, 0), `.s.PGSQL.${port}`) };
  }
}
