import { mockServices } from '@backstage/backend-test-utils';
import { clusterSpec } from '@orochi/backstage-plugin-orochi-common/testUtils';
import { eventually } from '@orochi/test-utils';
import { deadPort, deleteNamespaces, driverConfig, kubeConfigAt, tcpProxy, testKubeConfig } from './__testUtils__/kube';
import { ClusterCache } from './ClusterCache';
import { KubeApi } from './KubeApi';
import { KubernetesDriver } from './KubernetesDriver';
import { ClusterManifests } from './manifests';
import { CNPG } from './names';
import { InstallationScope } from './scope';

jest.setTimeout(60_000);

const config = driverConfig({ installationId: 'cache-test' });
const scope = new InstallationScope(config);
const clusterOf = (id: string, name: string) => ({ id, cu: 1, spec: clusterSpec(name, { version: 17 }) });
const warnings = (logger: ReturnType<typeof mockServices.logger.mock>, pattern: RegExp) =>
  logger.warn.mock.calls.filter(([message]) => pattern.test(String(message))).length;

describe('ClusterCache', () => {
  const direct = new KubeApi(testKubeConfig());
  const namespace = new ClusterManifests(config, clusterOf('x', 'x')).namespace;

  /** Writes a Cluster straight to the API server, as another client would. */
  async function putCluster(id: string, name: string) {
    await direct.applyCustom(CNPG.cluster, new ClusterManifests(config, clusterOf(id, name)).clusterManifest());
  }

  beforeAll(async () => {
    await direct.createNamespace(new ClusterManifests(config, clusterOf('x', 'x')).namespaceManifest());
  });

  afterAll(() => deleteNamespaces(config.namespacePrefix));

  it('is not in sync while its list fails, keeps trying, and reads then go to the API server', async () => {
    const nowhere = kubeConfigAt(`https://127.0.0.1:${await deadPort()}`);
    const logger = mockServices.logger.mock();
    const cache = new ClusterCache(new KubeApi(nowhere), scope, logger, () => undefined, { restartMs: 50 });
    await cache.start();
    expect(cache.synced).toBe(false);
    expect(cache.get(namespace, 'db')).toEqual({ synced: false });
    await eventually('a second failed list', async () => warnings(logger, /listing them failed/) >= 2 || undefined);
    expect(cache.synced).toBe(false);
    await cache.stop();

    // The driver then asks the API server, and says it cannot, rather than reporting the cluster missing.
    const driver = await KubernetesDriver.create({ config, logger, kubeConfig: nowhere });
    await expect(driver.observe(clusterOf('id-db', 'db'))).rejects.toThrow(/Kubernetes did not read Cluster .* \(no answer\)/);
    await driver.stop();
  });

  it('is in sync after its first list, and after a broken watch only once it listed again', async () => {
    const proxy = await tcpProxy(testKubeConfig().getCurrentCluster()!.server);
    const logger = mockServices.logger.mock();
    const changes: string[] = [];
    const cache = new ClusterCache(new KubeApi(kubeConfigAt(proxy.url)), scope, logger, id => changes.push(id), { restartMs: 100 });
    try {
      await putCluster('id-one', 'one');
      await cache.start();
      expect(cache.synced).toBe(true);
      expect(cache.get(namespace, 'one').cluster?.metadata?.labels).toMatchObject({ 'orochi.io/cluster-id': 'id-one' });

      await putCluster('id-two', 'two');
      await eventually('the watch to announce the new cluster', async () => changes.includes('id-two') || undefined);
      expect(cache.get(namespace, 'two').cluster).toBeDefined();

      // Every connection reset, new ones refused: the watch breaks and the lists after it fail.
      await proxy.down();
      await eventually('the cache to be out of sync', async () => !cache.synced || undefined);
      await eventually('a failed relist', async () => warnings(logger, /listing them failed/) >= 1 || undefined);
      expect(cache.get(namespace, 'one')).toEqual({ synced: false });
      await direct.deleteCustom(CNPG.cluster, namespace, 'one');
      await putCluster('id-three', 'three');

      await proxy.up();
      await eventually('the cache to list again', async () => cache.synced || undefined);
      // The relist brought what changed meanwhile, and announced it.
      expect(cache.get(namespace, 'one')).toEqual({ synced: true, cluster: undefined });
      expect(cache.get(namespace, 'three').cluster).toBeDefined();
      expect(changes.filter(id => id === 'id-one')).toHaveLength(2);
      expect(changes).toContain('id-three');
    } finally {
      await cache.stop();
      await proxy.close();
    }
  });

  it('stays in sync when the server ends a watch, and goes on from where it was', async () => {
    const logger = mockServices.logger.mock();
    const changes: string[] = [];
    const cache = new ClusterCache(direct, scope, logger, id => changes.push(id), { watchSeconds: 1 });
    await cache.start();
    try {
      const watches = () => logger.debug.mock.calls.filter(([message]) => /^Watching CloudNativePG clusters/.test(String(message))).length;
      await eventually('the server to end the first watch and the cache to watch again', async () => watches() >= 2 || undefined);
      expect(cache.synced).toBe(true);
      await putCluster('id-later', 'later');
      await eventually('the new watch to announce a new cluster', async () => changes.includes('id-later') || undefined);
      expect(cache.get(namespace, 'later').cluster).toBeDefined();
      expect(logger.warn).not.toHaveBeenCalled();
    } finally {
      await cache.stop();
    }
  });

  it('holds only this installation’s clusters in its namespaces', async () => {
    const other = new ClusterManifests({ ...config, installationId: 'someone-else' }, clusterOf('id-other', 'other')).clusterManifest();
    await direct.applyCustom(CNPG.cluster, other);
    await putCluster('id-mine', 'mine');
    const changes: string[] = [];
    const cache = new ClusterCache(direct, scope, mockServices.logger.mock(), id => changes.push(id));
    await cache.start();
    try {
      expect(cache.get(namespace, 'mine').cluster).toBeDefined();
      expect(cache.get(namespace, 'other')).toEqual({ synced: true, cluster: undefined });
      expect(changes).not.toContain('id-other');
    } finally {
      await cache.stop();
    }
  });
});
