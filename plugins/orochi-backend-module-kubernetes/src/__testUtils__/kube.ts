import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { DriverOperationContext } from '@orochi/backstage-plugin-orochi-node';
import { randomBytes } from 'node:crypto';
import { AddressInfo, createServer, connect, Server, Socket } from 'node:net';
import { KubernetesDriverConfig } from '../config';

/** The API server the package's jest globalSetup started, or the cluster named by OROCHI_TEST_KUBECONFIG. */
export function testKubeConfig(): KubeConfig {
  const path = process.env.OROCHI_TEST_KUBECONFIG;
  if (!path) throw new Error('No Kubernetes API server for the test: the package’s jest globalSetup starts one');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(path);
  return kubeConfig;
}

/** The same credentials and CA, for another address (a proxy in front of the server, or nothing at all). */
export function kubeConfigAt(server: string, base = testKubeConfig()): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: base.clusters.map(cluster => ({ ...cluster, server })),
    users: base.users,
    contexts: base.contexts,
    currentContext: base.currentContext,
  });
  return kubeConfig;
}

/** A namespace prefix of this test run's own, so tests never see each other's objects. */
export const uniquePrefix = () => `orochi-t${randomBytes(3).toString('hex')}-`;

export function driverConfig(overrides: Partial<KubernetesDriverConfig> = {}): KubernetesDriverConfig {
  return {
    installationId: 'default',
    namespacePrefix: uniquePrefix(),
    image: 'ghcr.io/orochi-db/orochi-postgres',
    versions: [17],
    orochiExtension: true,
    poolerInstances: 1,
    backups: { destinationPath: 's3://orochi-test-backups/' },
    rolloutStepTimeoutSeconds: 60,
    ...overrides,
  };
}

/** Runs each step at once, as the operation engine would without recording it. */
export const runSteps: DriverOperationContext = { step: (_name, fn) => fn(), signal: new AbortController().signal };

/** Deletes every namespace that starts with the prefix (the test API server empties them synchronously). */
export async function deleteNamespaces(prefix: string) {
  const core = testKubeConfig().makeApiClient(CoreV1Api);
  const { items } = await core.listNamespace();
  for (const name of items.map(n => n.metadata!.name!).filter(n => n.startsWith(prefix))) {
    await core.deleteNamespace({ name }).catch(() => undefined);
  }
}

/** A loopback port where nothing listens (it was free a moment ago). */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise(resolve => server.close(resolve));
  return port;
}

/**
 * A TCP proxy in front of the test API server (TLS passes through untouched), that a test can take down: `down()`
 * resets every connection and refuses new ones, `up()` accepts them again on the same port.
 */
export async function tcpProxy(target: string) {
  const { hostname, port: targetPort } = new URL(target);
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = async () => {
    server = createServer(client => {
      const upstream = connect(Number(targetPort), hostname);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>(resolve => server!.listen(port, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  };
  const down = async () => {
    const closed = new Promise(resolve => server?.close(resolve));
    sockets.forEach(socket => socket.resetAndDestroy());
    await closed;
    server = undefined;
  };
  await listen();
  return { url: `https://127.0.0.1:${port}`, down, up: listen, close: () => (server ? down() : Promise.resolve()) };
}
