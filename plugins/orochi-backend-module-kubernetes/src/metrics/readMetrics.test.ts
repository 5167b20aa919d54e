import { mockServices } from '@backstage/backend-test-utils';
import { clusterSpec } from '@orochi/backstage-plugin-orochi-common/testUtils';
import { eventually } from '@orochi/test-utils';
import { deleteNamespaces, driverConfig, testKubeConfig } from '../__testUtils__/kube';
import { playOperator } from '../__testUtils__/operator';
import { KubeApi } from '../KubeApi';
import { KubernetesDriver } from '../KubernetesDriver';
import { ClusterManifests } from '../manifests';
import { CNPG } from '../names';

jest.setTimeout(60_000);

const config = driverConfig({ installationId: 'metrics-test' });
const clusterOf = (hibernated = false) => ({ id: 'c0ffee01', cu: 1, spec: clusterSpec('metrics-db', { version: 17, hibernated }) });
const set = new ClusterManifests(config, clusterOf());

/**
 * The test API server has neither Pods nor the metrics API, as a cluster without metrics-server has none: the
 * driver must then answer no sample rather than a sample of zeros. The exporter's side is tested in exporter.test.ts.
 */
describe('the kubernetes driver’s metrics against an API server without metrics.k8s.io', () => {
  const api = new KubeApi(testKubeConfig());
  const logger = mockServices.logger.mock();
  const debugLogs = () => logger.debug.mock.calls.map(([message]) => String(message)).filter(m => m.startsWith('No metrics for'));
  let driver: KubernetesDriver;
  let stopOperator: (() => void) | undefined;

  beforeAll(async () => {
    driver = await KubernetesDriver.create({ config, logger, kubeConfig: testKubeConfig() });
    await api.createNamespace(set.namespaceManifest());
  });

  afterAll(async () => {
    stopOperator?.();
    await driver?.stop();
    await deleteNamespaces(config.namespacePrefix);
  });

  it('answers no sample, silently, for a cluster that has no Cluster object', async () => {
    expect(await driver.readMetrics(clusterOf())).toBeUndefined();
    expect(debugLogs()).toEqual([]);
  });

  it('answers no sample while the Cluster has no current primary', async () => {
    await api.applyCustom(CNPG.cluster, set.clusterManifest());
    expect(await driver.readMetrics(clusterOf())).toBeUndefined();
    expect(debugLogs()).toEqual([`No metrics for ${set.namespace}/metrics-db: it has no current primary`]);
  });

  it('answers no sample, saying why, when the primary has no PodMetrics', async () => {
    logger.debug.mockClear();
    stopOperator = playOperator(api.custom, config.namespacePrefix);
    const logged = await eventually('the reason logged', async () => {
      expect(await driver.readMetrics(clusterOf())).toBeUndefined();
      return debugLogs().find(m => m.includes('metrics.k8s.io'));
    });
    expect(logged).toBe(`No metrics for ${set.namespace}/metrics-db: the metrics API (metrics.k8s.io) has no PodMetrics for metrics-db-1`);
  });

  it('answers no sample, silently, for a hibernated cluster', async () => {
    await api.applyCustom(CNPG.cluster, new ClusterManifests(config, clusterOf(true)).clusterManifest());
    // Once the driver observes it stopped, its cache (which readMetrics reads too) has the hibernation.
    await eventually('the hibernation to be observed', async () => ((await driver.observe(clusterOf(true))).phase === 'stopped' ? true : undefined));
    logger.debug.mockClear();
    expect(await driver.readMetrics(clusterOf(true))).toBeUndefined();
    expect(debugLogs()).toEqual([]);
  });
});
