import { mockServices } from '@backstage/backend-test-utils';
import { KubernetesObject } from '@kubernetes/client-node';
import { clusterSpec } from '@orochi/backstage-plugin-orochi-common/testUtils';
import { eventually } from '@orochi/test-utils';
import { randomUUID } from 'node:crypto';
import { deleteNamespaces, driverConfig, runSteps, testKubeConfig, uniquePrefix } from './__testUtils__/kube';
import { KubeApi } from './KubeApi';
import { KubernetesDriver } from './KubernetesDriver';
import { ClusterManifests } from './manifests';
import { appSecretName, CNPG, CustomKind, objectStoreName, poolerName, scheduledBackupName } from './names';

jest.setTimeout(60_000);

const prefix = uniquePrefix();
const configA = driverConfig({ installationId: 'inst-a', namespacePrefix: prefix });
const configB = driverConfig({ installationId: 'inst-b', namespacePrefix: prefix });
const backups = { enabled: true, schedule: '0 0 3 * * *', retentionDays: 7 };
const clusterOf = (id: string, name: string, owner: string) => ({
  id,
  cu: 1,
  spec: clusterSpec(name, { version: 17, owner, backups, pooling: { enabled: true } }),
});

describe('two Orochi installations on one Kubernetes cluster', () => {
  const api = new KubeApi(testKubeConfig());
  const seen: Record<'a' | 'b', string[]> = { a: [], b: [] };
  let a: KubernetesDriver;
  let b: KubernetesDriver;

  beforeAll(async () => {
    a = await KubernetesDriver.create({ config: configA, logger: mockServices.logger.mock(), kubeConfig: testKubeConfig() });
    b = await KubernetesDriver.create({ config: configB, logger: mockServices.logger.mock(), kubeConfig: testKubeConfig() });
    a.watch(id => seen.a.push(id));
    b.watch(id => seen.b.push(id));
  });

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await deleteNamespaces(prefix);
    await deleteNamespaces(`other-${prefix}`);
  });

  /** Every object the driver creates for a cluster, as the API server has it (undefined once deleted). */
  async function objectsOf(namespace: string, name: string, id: string) {
    const kinds: Array<[CustomKind, string]> = [
      [CNPG.cluster, name],
      [CNPG.pooler, poolerName(name)],
      [CNPG.scheduledBackup, scheduledBackupName(name)],
      [CNPG.objectStore, objectStoreName(`${name}-${id}`)],
    ];
    const objects: Record<string, KubernetesObject | undefined> = {};
    for (const [kind, objectName] of kinds) objects[kind.kind] = await api.getCustom(kind, namespace, objectName);
    objects.Secret = await api.readSecret(namespace, appSecretName(name));
    return objects;
  }
  const allThere = (objects: Record<string, unknown>) => Object.values(objects).every(Boolean);
  const noneThere = (objects: Record<string, unknown>) => Object.values(objects).every(o => !o);

  const shared = randomUUID();
  const idB = randomUUID();
  const idA2 = randomUUID();
  const namespaceA = new ClusterManifests(configA, clusterOf(shared, 'db', 'group:default/team-a')).namespace;
  const namespaceB = new ClusterManifests(configB, clusterOf(idB, 'db', 'group:default/team-b')).namespace;
  /** Labelled as installation a's, but in a namespace without its prefix. */
  const outside = new ClusterManifests({ ...configA, namespacePrefix: `other-${prefix}` }, clusterOf(shared, 'stray', 'group:default/team-a'));

  it('label everything with their installation, and each lists and watches only its own clusters', async () => {
    await a.apply(clusterOf(shared, 'db', 'group:default/team-a'), runSteps);
    await b.apply(clusterOf(idB, 'db', 'group:default/team-b'), runSteps);
    await api.createNamespace(outside.namespaceManifest());
    await api.applyCustom(CNPG.cluster, outside.clusterManifest());

    for (const [namespace, installation] of [[namespaceA, 'inst-a'], [namespaceB, 'inst-b']]) {
      const objects = await objectsOf(namespace, 'db', namespace === namespaceA ? shared : idB);
      expect(allThere(objects)).toBe(true);
      const labelled = Object.entries(objects).map(([kind, o]) => [kind, o?.metadata?.labels?.['orochi.io/installation']]);
      expect(labelled).toEqual(Object.keys(objects).map(kind => [kind, installation]));
      expect((await api.readNamespace(namespace))?.metadata?.labels).toMatchObject({ 'orochi.io/installation': installation });
    }

    expect(await a.listClusterIds()).toEqual([shared]);
    expect(await b.listClusterIds()).toEqual([idB]);

    // A watch delivers events in order: once a has seen its later cluster, it would have seen b's before it.
    await a.apply(clusterOf(idA2, 'db2', 'group:default/team-a'), runSteps);
    await eventually('installation a to see its second cluster', async () => seen.a.includes(idA2) || undefined);
    await eventually('installation b to see its cluster', async () => seen.b.includes(idB) || undefined);
    expect(seen.a).not.toContain(idB);
    expect(seen.b).not.toContain(shared);
    expect(seen.b).not.toContain(idA2);
    expect((await a.listClusterIds()).sort()).toEqual([shared, idA2].sort());
  });

  it('refuse to use a namespace of the other installation', async () => {
    await expect(b.apply(clusterOf(randomUUID(), 'intruder', 'group:default/team-a'), runSteps)).rejects.toThrow(
      /Namespace .* belongs to the Orochi installation "inst-a", not "inst-b"/,
    );
    expect(await api.getCustom(CNPG.cluster, namespaceA, 'intruder')).toBeUndefined();
  });

  it('delete orphans only among their own objects, even for the same cluster id', async () => {
    // Installation b gets a cluster with the very id a uses.
    await b.apply(clusterOf(shared, 'twin', 'group:default/team-b'), runSteps);
    expect(allThere(await objectsOf(namespaceB, 'twin', shared))).toBe(true);

    await b.deleteOrphan(shared);
    expect(noneThere(await objectsOf(namespaceB, 'twin', shared))).toBe(true);
    expect(allThere(await objectsOf(namespaceA, 'db', shared))).toBe(true);
    expect(allThere(await objectsOf(namespaceB, 'db', idB))).toBe(true);

    await a.deleteOrphan(idB);
    expect(allThere(await objectsOf(namespaceB, 'db', idB))).toBe(true);

    await a.deleteOrphan(shared);
    expect(noneThere(await objectsOf(namespaceA, 'db', shared))).toBe(true);
    expect(allThere(await objectsOf(namespaceA, 'db2', idA2))).toBe(true);
    expect(allThere(await objectsOf(namespaceB, 'db', idB))).toBe(true);
    // Labelled as a's, but outside a's namespaces: not a's to delete.
    expect(await api.getCustom(CNPG.cluster, outside.namespace, 'stray')).toBeDefined();
  });

  it('back up a cluster deleted and created again with the same name into a new folder', async () => {
    const first = clusterOf(randomUUID(), 'phoenix', 'group:default/team-a');
    const second = clusterOf(randomUUID(), 'phoenix', 'group:default/team-a');
    const folder = async () => {
      const cluster: any = await api.getCustom(CNPG.cluster, namespaceA, 'phoenix');
      const { barmanObjectName, serverName } = cluster.spec.plugins[0].parameters;
      const store: any = await api.getCustom(CNPG.objectStore, namespaceA, barmanObjectName);
      return `${store.spec.configuration.destinationPath}${serverName}`;
    };
    await a.apply(first, runSteps);
    const before = await folder();
    await a.delete(first, runSteps);
    await a.apply(second, runSteps);
    const after = await folder();
    expect(before).toBe(`s3://orochi-test-backups/${namespaceA}/phoenix-${first.id}`);
    expect(after).toBe(`s3://orochi-test-backups/${namespaceA}/phoenix-${second.id}`);
    // The first's store stays, marked, for its grace period; the second has a store of its own.
    const kept: any = await api.getCustom(CNPG.objectStore, namespaceA, objectStoreName(`phoenix-${first.id}`));
    expect(kept.metadata.annotations['orochi.io/deleted-at']).toEqual(expect.any(String));
    const own: any = await api.getCustom(CNPG.objectStore, namespaceA, objectStoreName(`phoenix-${second.id}`));
    expect(own.metadata.annotations?.['orochi.io/deleted-at']).toBeUndefined();
  });

  it('bind the service account in a new team namespace where the API server serves RBAC, and fail clearly where not', async () => {
    const config = driverConfig({ installationId: 'inst-rbac', serviceAccount: { name: 'backstage', namespace: 'backstage' } });
    const driver = await KubernetesDriver.create({ config, logger: mockServices.logger.mock(), kubeConfig: testKubeConfig() });
    const cluster = clusterOf(randomUUID(), 'bound', 'group:default/team-a');
    const namespace = new ClusterManifests(config, cluster).namespace;
    try {
      const servesRbac = await api.rbac.getAPIResources().then(
        () => true,
        error => (error.code === 404 ? false : Promise.reject(error)),
      );
      const outcome = await driver.apply(cluster, runSteps).then(
        async () => {
          const binding = await api.rbac.readNamespacedRoleBinding({ namespace, name: 'orochi-tenant' });
          const subject = binding.subjects?.[0];
          return `bound ${binding.roleRef.kind} ${binding.roleRef.name} to ${subject?.kind} ${subject?.namespace}/${subject?.name}`;
        },
        (error: Error) => error.message.replace(/\): .*$/s, ')'),
      );
      // kube-test-apiserver has no rbac.authorization.k8s.io: the RBAC itself is checked by rbac.test.ts.
      const expected = servesRbac
        ? 'bound ClusterRole orochi-tenant to ServiceAccount backstage/backstage'
        : `Kubernetes did not create rolebinding ${namespace}/orochi-tenant (HTTP 404)`;
      expect(outcome).toBe(expected);
    } finally {
      await driver.stop();
      await deleteNamespaces(config.namespacePrefix);
    }
  });
});
