import { KubeConfig } from '@kubernetes/client-node';
import { OrochiClient } from '@orochi/backstage-plugin-orochi-common';
import { PostgresProxy } from '../PostgresProxy';
import type { ProxyLogger } from '../types';
import { ClusterRouter } from './ClusterRouter';
import type { StandaloneProxyConfig } from './config';
import { KubernetesDirectory } from './KubernetesDirectory';

export interface StandaloneProxy {
  port: number;
  close(): Promise<void>;
}

/**
 * The proxy in front of an installation's CloudNativePG clusters: one address for every cluster, routed by TLS
 * server name or database to the cluster's primary Service, waking suspended clusters through the Orochi API.
 */
export async function startStandaloneProxy(options: {
  config: StandaloneProxyConfig;
  kubeConfig: KubeConfig;
  logger: ProxyLogger;
}): Promise<StandaloneProxy> {
  const { config, kubeConfig, logger } = options;
  const router = new ClusterRouter({
    directory: new KubernetesDirectory({ kubeConfig, installationId: config.installationId }),
    orochi: new OrochiClient({ discoveryApi: { getBaseUrl: async () => config.orochiUrl } }),
    token: config.token,
    domain: config.domain,
    upstream: config.upstream,
  });
  const proxy = new PostgresProxy({
    resolve: (info, signal) => router.resolve(info, signal),
    resolveTimeoutMs: config.wakeTimeoutMs,
    logger,
    startup: config.tls ? { tls: config.tls } : {},
  });
  const port = await proxy.listen({ port: config.port, host: config.host });
  return { port, close: () => proxy.closeAll() };
}
