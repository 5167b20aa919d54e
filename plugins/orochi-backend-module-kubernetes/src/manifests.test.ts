import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { clusterSpec, DEFAULT_SIZES } from '@orochi/backstage-plugin-orochi-common/testUtils';
import Ajv, { ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { KubernetesDriverConfig } from './config';
import { ClusterManifests, Manifest } from './manifests';
import { recoveryBootstrap } from './recovery';

/** The CloudNativePG and Barman Cloud CRDs this driver writes for, from ../shared (not copied into the repo). */
const crdDirectory = resolvePackagePath('@orochi/backstage-plugin-orochi-backend-module-kubernetes', '../../../shared/cnpg-crds');

/**
 * The API server's strict field validation, for ajv: objects with declared properties take no others, unless
 * the schema preserves unknown fields.
 */
function strict(schema: any): any {
  if (Array.isArray(schema)) return schema.map(strict);
  if (!schema || typeof schema !== 'object') return schema;
  const result: any = Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, key === 'properties' ? Object.fromEntries(Object.entries(value as object).map(([name, sub]) => [name, strict(sub)])) : strict(value)]));
  if (result.properties && !result['x-kubernetes-preserve-unknown-fields'] && result.additionalProperties === undefined) {
    result.additionalProperties = false;
  }
  return result;
}

function schemaValidators(): Map<string, ValidateFunction> {
  // Kubernetes' schemas carry x-kubernetes-* keywords and formats ajv does not know; the API server checks those.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const validators = new Map<string, ValidateFunction>();
  for (const file of ['postgresql.cnpg.io_clusters.yaml', 'postgresql.cnpg.io_poolers.yaml', 'postgresql.cnpg.io_scheduledbackups.yaml', 'postgresql.cnpg.io_backups.yaml', 'barmancloud.cnpg.io_objectstores.yaml']) {
    const crd = parse(readFileSync(join(crdDirectory, file), 'utf8'));
    const version = crd.spec.versions.find((v: { name: string }) => v.name === 'v1');
    const schema = strict(version.schema.openAPIV3Schema);
    // Every object has metadata, which the CRD leaves to the API server.
    schema.properties.metadata = { type: 'object' };
    validators.set(`${crd.spec.group}/${crd.spec.names.kind}`, ajv.compile(schema));
  }
  return validators;
}

const validators = schemaValidators();

function expectValid(manifest: Manifest) {
  const validate = validators.get(`${manifest.apiVersion.split('/')[0]}/${manifest.kind}`);
  if (!validate) throw new Error(`No CRD for ${manifest.apiVersion} ${manifest.kind}`);
  const valid = validate(manifest);
  expect({ kind: manifest.kind, errors: valid ? [] : validate.errors }).toEqual({ kind: manifest.kind, errors: [] });
}

const config: KubernetesDriverConfig = {
  installationId: 'eu-1',
  namespacePrefix: 'orochi-',
  image: 'ghcr.io/orochi-db/orochi-postgres',
  versions: [16, 17],
  orochiExtension: true,
  poolerInstances: 2,
  backups: { destinationPath: 's3://orochi-backups/', endpointURL: 'https://minio.example.com' },
  rolloutStepTimeoutSeconds: 300,
};

function manifests(overrides: Parameters<typeof clusterSpec>[1] = {}, cu = 1, driverConfig = config) {
  return new ClusterManifests(driverConfig, { id: 'c0ffee', cu, spec: clusterSpec('orders-db', { version: 17, ...overrides }) });
}

function all(set: ClusterManifests): Manifest[] {
  return [set.clusterManifest(), set.poolerManifest(), set.objectStoreManifest(), set.scheduledBackupManifest()];
}

describe('the CloudNativePG manifests', () => {
  it.each(DEFAULT_SIZES.map(size => [size.name, size.cu] as const))('are valid for size %s', (size, cu) => {
    const set = manifests({ size }, cu);
    all(set).forEach(expectValid);
    expect(set.clusterManifest().spec).toMatchObject({
      resources: { requests: { cpu: String(cu), memory: `${cu * 2048}Mi` }, limits: { cpu: String(cu), memory: `${cu * 2048}Mi` } },
      postgresql: { parameters: { shared_buffers: `${cu * 512}MB`, max_connections: String(100 * cu) } },
    });
  });

  it('are valid with standbys, backups, a storage class, hibernated, and without the extension', () => {
    const variants = [
      manifests({ instances: 3 }),
      manifests({ backups: { enabled: true, schedule: '0 30 2 * * *', retentionDays: 14 } }),
      manifests({ hibernated: true }),
      manifests({}, 1, { ...config, storageClass: 'gp3', orochiExtension: false, backups: { destinationPath: 's3://b', credentialsSecret: 'backup-credentials' } }),
      manifests({}, 0.5),
    ];
    variants.flatMap(all).forEach(expectValid);
  });

  it('give the cluster its image, database, owner, labels and the Orochi extension', () => {
    const cluster = manifests({ instances: 2, storageGb: 20 }).clusterManifest();
    expect(cluster.metadata).toEqual({
      name: 'orders-db',
      namespace: 'orochi-team-payments',
      labels: {
        'app.kubernetes.io/managed-by': 'orochi',
        'orochi.io/installation': 'eu-1',
        'orochi.io/cluster-id': 'c0ffee',
        'orochi.io/owner': 'team-payments',
      },
      annotations: { 'orochi.io/owner': 'group:default/team-payments' },
    });
    expect(cluster.spec).toMatchObject({
      instances: 2,
      imageName: 'ghcr.io/orochi-db/orochi-postgres:17',
      storage: { size: '20Gi' },
      postgresql: { shared_preload_libraries: ['orochi'] },
      bootstrap: { initdb: { database: 'app', owner: 'app', secret: { name: 'orders-db-app' }, postInitApplicationSQL: ['CREATE EXTENSION IF NOT EXISTS orochi'] } },
      inheritedMetadata: { labels: { 'backstage.io/kubernetes-id': 'orders-db', 'orochi.io/cluster-id': 'c0ffee', 'orochi.io/installation': 'eu-1' } },
    });
    expect((cluster.spec as { plugins?: unknown }).plugins).toBeUndefined();
  });

  it('hibernate through the cnpg.io/hibernation annotation', () => {
    expect(manifests({ hibernated: true }).clusterManifest().metadata.annotations).toMatchObject({ 'cnpg.io/hibernation': 'on' });
    expect(manifests().clusterManifest().metadata.annotations).not.toHaveProperty(['cnpg.io/hibernation']);
  });

  it('archive WAL through the Barman Cloud plugin and schedule backups with a six-field cron', () => {
    const set = manifests({ backups: { enabled: true, schedule: '0 30 2 * * *', retentionDays: 14 } });
    expect((set.clusterManifest().spec as { plugins: unknown }).plugins).toEqual([
      { name: 'barman-cloud.cloudnative-pg.io', isWALArchiver: true, parameters: { barmanObjectName: 'orders-db-c0ffee-backups', serverName: 'orders-db-c0ffee' } },
    ]);
    expect(set.objectStoreManifest().spec).toEqual({
      retentionPolicy: '14d',
      configuration: {
        destinationPath: 's3://orochi-backups/orochi-team-payments/',
        endpointURL: 'https://minio.example.com',
        s3Credentials: { inheritFromIAMRole: true },
      },
    });
    expect(set.scheduledBackupManifest().spec).toEqual({
      schedule: '0 30 2 * * *',
      cluster: { name: 'orders-db' },
      method: 'plugin',
      pluginConfiguration: { name: 'barman-cloud.cloudnative-pg.io' },
      backupOwnerReference: 'self',
    });
  });

  it('archive a recreated cluster of the same name into a new folder, named after its incarnation', () => {
    const backups = { enabled: true, schedule: '0 0 3 * * *', retentionDays: 7 };
    const folder = (id: string) => {
      const set = new ClusterManifests(config, { id, cu: 1, spec: clusterSpec('orders-db', { version: 17, backups }) });
      const plugin = (set.clusterManifest().spec as { plugins: Array<{ parameters: { serverName: string } }> }).plugins[0];
      return `${(set.objectStoreManifest().spec as any).configuration.destinationPath}${plugin.parameters.serverName}`;
    };
    const first = folder('2b0a3f4e-0c57-4a53-9a8e-1f1d7c2e9b01');
    const second = folder('8d7c6b5a-4f3e-4d2c-8b1a-0f9e8d7c6b5a');
    expect(first).toBe('s3://orochi-backups/orochi-team-payments/orders-db-2b0a3f4e-0c57-4a53-9a8e-1f1d7c2e9b01');
    expect(second).not.toBe(first);
  });

  it('label every object, the namespace included, with the installation', () => {
    const set = manifests({ backups: { enabled: true, schedule: '0 0 3 * * *', retentionDays: 7 } });
    for (const manifest of [set.namespaceManifest(), set.secretManifest('pw'), set.monitoringQueriesManifest(), ...all(set), set.roleBindingManifest({ name: 'sa', namespace: 'ns' })]) {
      expect({ kind: manifest.kind, installation: manifest.metadata.labels?.['orochi.io/installation'] }).toEqual({ kind: manifest.kind, installation: 'eu-1' });
    }
  });

  it('are checked strictly: an unknown field fails', () => {
    const cluster = manifests().clusterManifest();
    const validate = validators.get('postgresql.cnpg.io/Cluster')!;
    expect(validate({ ...cluster, spec: { ...(cluster.spec as object), instance: 2 } })).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({ keyword: 'additionalProperties', params: { additionalProperty: 'instance' } });
  });

  it('refuse backups without a configured object store', () => {
    expect(() => manifests({}, 1, { ...config, backups: undefined }).objectStoreManifest()).toThrow(/orochi.kubernetes.backups.destinationPath/);
  });

  it("point every Cluster's exporter at Orochi's monitoring queries, which CloudNativePG reloads", () => {
    const set = manifests();
    expect((set.clusterManifest().spec as any).monitoring).toEqual({ customQueriesSecret: [{ name: 'orochi-monitoring', key: 'queries' }] });
    const secret = set.monitoringQueriesManifest();
    expect(secret.metadata).toMatchObject({ name: 'orochi-monitoring', namespace: 'orochi-team-payments', labels: { 'cnpg.io/reload': '' } });
    // The exporter reads YAML; JSON is YAML.
    const queries = parse((secret as any).stringData.queries);
    expect(queries.orochi_activity).toMatchObject({ target_databases: ['app'], query: expect.stringContaining('pg_stat_user_tables') });
    expect(queries.orochi_activity.metrics.map((m: object) => Object.keys(m)[0])).toEqual(['datname', 'table_accesses', 'last_client_activity_seconds']);
  });

  it('keep the password in a basic-auth Secret', () => {
    expect(manifests().secretManifest('pw')).toMatchObject({
      kind: 'Secret',
      type: 'kubernetes.io/basic-auth',
      metadata: { name: 'orders-db-app', namespace: 'orochi-team-payments' },
      stringData: { username: 'app', password: 'pw' },
    });
  });

  it('are valid for an on-demand backup and for clusters recovering to each kind of target', () => {
    const set = manifests({ backups: { enabled: true, schedule: '0 0 3 * * *', retentionDays: 7 } });
    const backup = set.backupManifest('4f1c2b3a-0000-4000-8000-000000000000');
    expectValid(backup);
    expect(backup.metadata).toMatchObject({ name: 'orders-db-4f1c2b3a0000', labels: { 'orochi.io/backup-id': '4f1c2b3a-0000-4000-8000-000000000000' } });
    const source = { objectStore: 'orders-db-source', serverName: 'parent-db-0ld1d', barmanBackupId: '20261203T030000' };
    const targets = [
      { type: 'now' as const },
      { type: 'latest' as const },
      { type: 'time' as const, time: '2026-12-03T10:00:00.000Z' },
      { type: 'backup' as const, backupId: 'b-1' },
    ];
    for (const target of targets) {
      const cluster = set.clusterManifest(recoveryBootstrap(source, target));
      expectValid(cluster);
      expect((cluster.spec as any).bootstrap.initdb).toBeUndefined();
      expect((cluster.spec as any).externalClusters[0].plugin.parameters).toEqual({ barmanObjectName: 'orders-db-source', serverName: 'parent-db-0ld1d' });
      // It archives into a folder of its own, never the source's.
      expect((cluster.spec as any).plugins[0].parameters.serverName).toBe('orders-db-c0ffee');
    }
    expect((set.clusterManifest(recoveryBootstrap(source, targets[2])).spec as any).bootstrap.recovery.recoveryTarget).toEqual({ targetTime: '2026-12-03T10:00:00.000Z' });
    const reading = set.objectStoreManifest({ name: 'orders-db-source', namespace: 'orochi-team-parent' });
    expectValid(reading);
    expect(reading.spec).not.toHaveProperty('retentionPolicy');
  });
});
