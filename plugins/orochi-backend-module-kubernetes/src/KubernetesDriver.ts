import { LoggerService } from '@backstage/backend-plugin-api';
import { KubeConfig, V1Secret } from '@kubernetes/client-node';
import { APP_DATABASE, BackupKind, RecoveryWindow, RestoreTarget } from '@orochi/backstage-plugin-orochi-common';
import {
  ClusterCredentials,
  ClusterDriver,
  ClusterMetricsSample,
  ClusterObservation,
  DriverBackup,
  DriverCluster,
  DriverOperationContext,
  generatePassword,
} from '@orochi/backstage-plugin-orochi-node';
import { ClusterCache } from './ClusterCache';
import { KubeClusterBackups } from './clusterBackups';
import { KubernetesDriverConfig } from './config';
import { KubeApi } from './KubeApi';
import { ClusterManifests } from './manifests';
import { ClusterMetricsReader } from './metrics/readMetrics';
import {
  appSecretName,
  CLUSTER_ID_LABEL,
  CNPG,
  objectStoreName,
  poolerName,
  scheduledBackupName,
  sourceObjectStoreName,
} from './names';
import { RecoveryBootstrap } from './recovery';
import { Rollout } from './rollout';
import { InstallationScope } from './scope';
import { CnpgCluster, observationOf } from './status';
import { ensureTeamNamespace } from './teamNamespace';

const REMOVAL_TIMEOUT_MS = 5 * 60_000;

/** Reads a kubeconfig: the configured file, else the in-cluster service account, $KUBECONFIG or ~/.kube/config. */
export function loadKubeConfig(config: KubernetesDriverConfig): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (config.kubeconfig) kubeConfig.loadFromFile(config.kubeconfig);
  else kubeConfig.loadFromDefault();
  if (config.context) kubeConfig.setCurrentContext(config.context);
  return kubeConfig;
}

/**
 * Orochi clusters as CloudNativePG resources: per cluster a namespace per owning team, a basic-auth Secret, a
 * `postgresql.cnpg.io/v1` Cluster, and as asked a Pooler, a Barman Cloud ObjectStore and a ScheduledBackup.
 * Everything is applied server-side as field manager `orochi`, so re-applying converges; status comes from a
 * watch of the Clusters.
 */
export class KubernetesDriver implements ClusterDriver {
  static async create(options: { config: KubernetesDriverConfig; logger: LoggerService; kubeConfig?: KubeConfig }) {
    const api = new KubeApi(options.kubeConfig ?? loadKubeConfig(options.config));
    const driver = new KubernetesDriver(options.config, api, options.logger);
    await driver.#cache.start();
    const { installationId, namespacePrefix } = options.config;
    options.logger.info(
      `Kubernetes driver: ${api.config.getCurrentCluster()?.server ?? 'in-cluster'}, installation ${installationId}, namespaces ${namespacePrefix}<team>`,
    );
    return driver;
  }

  readonly #config: KubernetesDriverConfig;
  readonly #api: KubeApi;
  readonly #scope: InstallationScope;
  readonly #cache: ClusterCache;
  readonly #listeners: Array<(clusterId: string) => void> = [];
  readonly #backups: KubeClusterBackups;
  readonly #metrics: ClusterMetricsReader;

  private constructor(config: KubernetesDriverConfig, api: KubeApi, logger: LoggerService) {
    this.#config = config;
    this.#api = api;
    this.#scope = new InstallationScope(config);
    this.#cache = new ClusterCache(api, this.#scope, logger, id => this.#listeners.forEach(listener => listener(id)));
    this.#backups = new KubeClusterBackups(config, api, this.#scope);
    this.#metrics = new ClusterMetricsReader(api, logger);
  }

  stop() {
    return this.#cache.stop();
  }

  watch(onChange: (clusterId: string) => void) {
    this.#listeners.push(onChange);
  }

  async capabilities() {
    // The ScheduledBackup applied with each cluster keeps its schedule.
    return { versions: this.#config.versions, pooling: true, schedulesBackups: true };
  }

  async apply(cluster: DriverCluster, ctx: DriverOperationContext) {
    const set = new ClusterManifests(this.#config, cluster);
    // A restored cluster keeps the recovery it was bootstrapped with (restore applied it first).
    const existing = await this.#api.getCustom<CnpgCluster & { spec?: { bootstrap?: any; externalClusters?: any } }>(
      CNPG.cluster,
      set.namespace,
      set.name,
    );
    const recovery = existing?.spec?.bootstrap?.recovery
      ? { bootstrap: { recovery: existing.spec.bootstrap.recovery }, externalClusters: existing.spec.externalClusters }
      : undefined;
    await this.#applyObjects(cluster, set, ctx, recovery, existing);
  }

  /** Applies every object of the cluster, then follows the rolling update that changing `existing` causes. */
  async #applyObjects(
    cluster: DriverCluster,
    set: ClusterManifests,
    ctx: DriverOperationContext,
    recovery?: RecoveryBootstrap,
    existing?: CnpgCluster,
  ) {
    const { spec } = cluster;
    if (!this.#config.versions.includes(spec.version)) {
      throw new Error(`PostgreSQL ${spec.version} is not configured (orochi.kubernetes.versions: ${this.#config.versions.join(', ')})`);
    }
    const api = this.#api;
    await ctx.step(`Apply namespace ${set.namespace}`, () => ensureTeamNamespace(api, this.#config, set));
    await ctx.step('Ensure the application credentials', async () => {
      // Created once: applying again must not change the password.
      if (!(await api.readSecret(set.namespace, appSecretName(set.name)))) {
        await api.applySecret(set.secretManifest(generatePassword()));
      }
    });
    await ctx.step('Apply the monitoring queries', () => api.applySecret(set.monitoringQueriesManifest()));
    if (spec.backups.enabled) {
      await ctx.step('Apply the backup object store', () => api.applyCustom(CNPG.objectStore, set.objectStoreManifest()));
    }
    const manifest = set.clusterManifest(recovery);
    const rollout = new Rollout({ api, cache: this.#cache, existing, desired: manifest, timeoutSeconds: this.#config.rolloutStepTimeoutSeconds });
    try {
      await ctx.step('Apply the CloudNativePG cluster', () => api.applyCustom(CNPG.cluster, manifest));
      if (spec.pooling.enabled) {
        await ctx.step('Apply the PgBouncer pooler', () => api.applyCustom(CNPG.pooler, set.poolerManifest()));
      } else {
        await ctx.step('Remove any pooler', () => api.deleteCustom(CNPG.pooler, set.namespace, poolerName(set.name)));
      }
      if (spec.backups.enabled) {
        await ctx.step('Schedule backups', () => api.applyCustom(CNPG.scheduledBackup, set.scheduledBackupManifest()));
      } else {
        await ctx.step('Remove any backup schedule', async () => {
          await api.deleteCustom(CNPG.scheduledBackup, set.namespace, scheduledBackupName(set.name));
          await api.deleteCustom(CNPG.objectStore, set.namespace, objectStoreName(set.serverName));
        });
      }
      await rollout.follow(ctx);
    } finally {
      rollout.stop();
    }
  }

  /** Applies the new cluster's objects with its Cluster bootstrapped by recovery from the source's backups. */
  async restore(cluster: DriverCluster, source: DriverCluster, target: RestoreTarget, ctx: DriverOperationContext) {
    const set = new ClusterManifests(this.#config, cluster);
    if (!source.spec.backups.enabled) {
      throw new Error(`${source.spec.name} has no backups; the Kubernetes driver copies clusters from their backups`);
    }
    const recovery = await ctx.step(`Find the backups of ${source.spec.name}`, () =>
      this.#backups.recoveryFor(cluster, source, target),
    );
    await ctx.step(`Apply namespace ${set.namespace}`, () => ensureTeamNamespace(this.#api, this.#config, set));
    await ctx.step(`Read the backups of ${source.spec.name}`, () => this.#backups.applySourceStore(cluster, source));
    await this.#applyObjects(cluster, set, ctx, recovery);
  }

  backup(cluster: DriverCluster, backup: { id: string; kind: BackupKind }, ctx: DriverOperationContext): Promise<DriverBackup> {
    return this.#backups.backup(cluster, backup, ctx);
  }

  listBackups(cluster: DriverCluster): Promise<DriverBackup[]> {
    return this.#backups.list(cluster);
  }

  recoveryWindow(cluster: DriverCluster): Promise<RecoveryWindow> {
    return this.#backups.recoveryWindow(cluster);
  }

  /** The Barman Cloud plugin keeps each ObjectStore's retentionPolicy (the cluster's retentionDays) itself. */
  async applyBackupRetention(): Promise<string[]> {
    return [];
  }

  purgeDeletedClusterBackups(deletedBefore: Date): Promise<string[]> {
    return this.#backups.purgeDeleted(deletedBefore);
  }

  async delete(cluster: DriverCluster, ctx: DriverOperationContext) {
    const set = new ClusterManifests(this.#config, cluster);
    await ctx.step('Delete the CloudNativePG objects', () => this.#deleteObjects(set.namespace, set.name, set.serverName));
    await ctx.step('Wait for the cluster to be removed', async () => {
      const deadline = Date.now() + REMOVAL_TIMEOUT_MS;
      // Finalizers on a real cluster can keep it a while after the delete was accepted.
      while (await this.#api.getCustom(CNPG.cluster, set.namespace, set.name)) {
        if (Date.now() > deadline) throw new Error(`Cluster ${set.namespace}/${set.name} is still there after the delete`);
        ctx.signal.throwIfAborted();
        await new Promise(r => setTimeout(r, 1000));
      }
    });
  }

  /**
   * Deletes only what carries this installation's label and the cluster's id, in this installation's namespaces
   * (those of its Clusters with that id), one object at a time.
   */
  async deleteOrphan(id: string) {
    const selector = this.#scope.clusterSelector(id);
    const clusters = (await this.#api.listCustom<CnpgCluster>(CNPG.cluster, selector)).filter(this.#scope.owns);
    for (const namespace of new Set(clusters.map(c => c.metadata!.namespace!))) {
      for (const kind of [CNPG.scheduledBackup, CNPG.pooler, CNPG.cluster, CNPG.objectStore]) {
        for (const object of (await this.#api.listCustomIn(kind, namespace, selector)).filter(this.#scope.owns)) {
          await this.#api.deleteCustom(kind, namespace, object.metadata!.name!);
        }
      }
      for (const secret of (await this.#api.listSecrets(namespace, selector)).filter(this.#scope.owns)) {
        await this.#api.deleteSecret(namespace, secret.metadata!.name!);
      }
    }
  }

  async observe(cluster: DriverCluster): Promise<ClusterObservation> {
    const set = new ClusterManifests(this.#config, cluster);
    // Not in the cache: the cache is out of sync, or the Cluster is new or from before installation labels.
    const object =
      this.#cache.get(set.namespace, set.name).cluster ?? (await this.#api.getCustom<CnpgCluster>(CNPG.cluster, set.namespace, set.name));
    return observationOf(object, {
      namespace: set.namespace,
      name: set.name,
      pooler: cluster.spec.pooling.enabled,
      orochiExtension: this.#config.orochiExtension,
      proxyAddress: this.#proxyAddress(set.name),
      wakesOnConnect: !!cluster.spec.idleSuspended && !!this.#config.connectionProxy,
    });
  }

  async readCredentials(cluster: DriverCluster): Promise<ClusterCredentials> {
    const set = new ClusterManifests(this.#config, cluster);
    const secret: V1Secret | undefined = await this.#api.readSecret(set.namespace, appSecretName(set.name));
    if (!secret?.data?.username || !secret.data.password) {
      throw new Error(`The Secret ${set.namespace}/${appSecretName(set.name)} has no username and password`);
    }
    const decode = (value: string) => Buffer.from(value, 'base64').toString('utf8');
    return {
      ...(this.#proxyAddress(set.name) ?? { host: `${set.name}-rw.${set.namespace}.svc`, port: 5432 }),
      database: APP_DATABASE.name,
      user: decode(secret.data.username),
      password: decode(secret.data.password),
    };
  }

  /** The current primary's sample: CPU and memory from the metrics API, activity from CloudNativePG's exporter. */
  async readMetrics(cluster: DriverCluster): Promise<ClusterMetricsSample | undefined> {
    const set = new ClusterManifests(this.#config, cluster);
    const object =
      this.#cache.get(set.namespace, set.name).cluster ?? (await this.#api.getCustom<CnpgCluster>(CNPG.cluster, set.namespace, set.name));
    return this.#metrics.read(cluster.id, object);
  }

  /** The connection proxy's address for a cluster (routed by TLS server name), if clients go through one. */
  #proxyAddress(name: string): { host: string; port: number } | undefined {
    const proxy = this.#config.connectionProxy;
    return proxy && { host: `${name}.${proxy.domain}`, port: proxy.port };
  }

  /** The ids of this installation's Clusters (by label, in namespaces with the prefix), not other installations'. */
  async listClusterIds() {
    const clusters = (await this.#api.listCustom<CnpgCluster>(CNPG.cluster, this.#scope.selector)).filter(this.#scope.owns);
    return [...new Set(clusters.map(c => c.metadata?.labels?.[CLUSTER_ID_LABEL]).filter((id): id is string => !!id))];
  }

  async #deleteObjects(namespace: string, name: string, serverName: string) {
    await this.#api.deleteCustom(CNPG.scheduledBackup, namespace, scheduledBackupName(name));
    await this.#api.deleteCustom(CNPG.pooler, namespace, poolerName(name));
    await this.#api.deleteCustom(CNPG.cluster, namespace, name);
    await this.#api.deleteCustom(CNPG.objectStore, namespace, sourceObjectStoreName(name));
    // The cluster's own store stays, marked, for the grace period: an admin can still restore from it.
    await this.#backups.markDeleted(namespace, serverName);
    await this.#api.deleteSecret(namespace, appSecretName(name));
  }
}
