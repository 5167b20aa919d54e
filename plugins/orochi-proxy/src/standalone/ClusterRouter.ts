import { ResponseError } from '@backstage/errors';
import type { OrochiApi } from '@orochi/backstage-plugin-orochi-common';
import { ProxyRefusal } from '../ProxyRefusal';
import type { ProxyConnectionInfo, ProxyTarget } from '../types';
import type { KubernetesDirectory, RoutedCluster } from './KubernetesDirectory';

/** Cluster names are DNS labels; anything else is no cluster, and never reaches a Kubernetes selector. */
const CLUSTER_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export interface ClusterRouterOptions {
  directory: Pick<KubernetesDirectory, 'find'>;
  orochi: Pick<OrochiApi, 'wakeClusterOnConnect'>;
  /** The Orochi backend's static token for this proxy (`orochi.serviceAccess` grants it wakeOnConnect). */
  token: string;
  /** Clients using TLS connect to `<cluster>.<domain>`. */
  domain?: string;
  /** Where a cluster's primary Service is reached: `{service}` and `{namespace}` are replaced. */
  upstream: string;
}

/**
 * Where a client of the standalone proxy goes: the cluster named by the TLS server name `<cluster>.<domain>`, or,
 * for clients without TLS, by the database of the StartupMessage (which the server then gets as the cluster's
 * own database). A cluster that is not running is woken through the Orochi API first, which answers once it
 * accepts connections or says why not.
 */
export class ClusterRouter {
  readonly #options: ClusterRouterOptions;

  constructor(options: ClusterRouterOptions) {
    this.#options = options;
  }

  async resolve(info: ProxyConnectionInfo, signal: AbortSignal): Promise<ProxyTarget> {
    const byServerName = info.serverName !== undefined;
    const name = byServerName ? this.#clusterOfServerName(info.serverName!) : info.startupParameters?.database;
    if (!name) throw new ProxyRefusal('no cluster named: connect with TLS to <cluster>.<domain>, or name the cluster as the database', '3D000');
    const cluster = CLUSTER_NAME.test(name) ? await this.#options.directory.find(name) : undefined;
    if (!cluster) throw new ProxyRefusal(`no cluster named "${name}"`, '3D000');
    if (cluster.hibernated || !cluster.ready) await this.#wake(cluster, signal);
    const parameters = info.startupParameters ?? {};
    return {
      ...this.#address(cluster),
      // Routed by database, the client named the cluster: the server wants its own database.
      ...(byServerName ? {} : { startupParameters: { ...parameters, database: cluster.database } }),
    };
  }

  #clusterOfServerName(serverName: string): string | undefined {
    const suffix = `.${this.#options.domain}`;
    if (!this.#options.domain || !serverName.endsWith(suffix)) return undefined;
    const name = serverName.slice(0, -suffix.length);
    return name.includes('.') ? undefined : name;
  }

  async #wake(cluster: RoutedCluster, signal: AbortSignal): Promise<void> {
    try {
      await this.#options.orochi.wakeClusterOnConnect(cluster.id, { token: this.#options.token, signal });
    } catch (error) {
      if (signal.aborted) throw error;
      if (error instanceof ResponseError && [404, 409, 503].includes(error.statusCode)) {
        // The backend's words are for the client: hibernated by a user, did not start in time, gone.
        throw new ProxyRefusal(error.body.error.message, '57P03');
      }
      throw new ProxyRefusal(`could not wake cluster ${cluster.name}: the Orochi backend did not answer (${describe(error)})`, '57P03', 'Try connecting again in a moment.');
    }
  }

  #address(cluster: RoutedCluster): { host: string; port: number } {
    const address = this.#options.upstream.replace('{service}', cluster.writeService).replace('{namespace}', cluster.namespace);
    const separator = address.lastIndexOf(':');
    return { host: address.slice(0, separator), port: Number(address.slice(separator + 1)) };
  }
}

function describe(error: unknown): string {
  if (error instanceof ResponseError) return `${error.statusCode} ${error.statusText}`;
  return error instanceof Error ? error.message : String(error);
}
