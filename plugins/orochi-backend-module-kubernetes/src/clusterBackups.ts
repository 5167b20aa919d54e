import { BackupKind, RecoveryWindow, RestoreTarget } from '@orochi/backstage-plugin-orochi-common';
import { DriverBackup, DriverCluster, DriverOperationContext } from '@orochi/backstage-plugin-orochi-node';
import { BarmanObjectStore, CnpgBackup, recoveryWindowOf, toDriverBackup } from './backups';
import { KubernetesDriverConfig } from './config';
import { KubeApi } from './KubeApi';
import { ClusterManifests } from './manifests';
import {
  BACKUP_ID_LABEL,
  backupName,
  CLUSTER_ID_LABEL,
  CNPG,
  DELETED_AT_ANNOTATION,
  objectStoreName,
  sourceObjectStoreName,
} from './names';
import { RecoveryBootstrap, recoveryBootstrap } from './recovery';
import { InstallationScope } from './scope';
import { CnpgCluster } from './status';

const BACKUP_POLL_MS = 1000;
/** Owns the deletion mark on kept ObjectStores. */
const RETENTION_FIELD_MANAGER = 'orochi-retention';

/**
 * Backups, the recovery window, restores and the deleted clusters' kept backups, as CloudNativePG and its Barman
 * Cloud plugin do them: Backup objects, the ObjectStore's recovery window, Clusters bootstrapped by recovery.
 */
export class KubeClusterBackups {
  readonly #config: KubernetesDriverConfig;
  readonly #api: KubeApi;
  readonly #scope: InstallationScope;

  constructor(config: KubernetesDriverConfig, api: KubeApi, scope: InstallationScope) {
    this.#config = config;
    this.#api = api;
    this.#scope = scope;
  }

  /** Applies the Backup (idempotent by name) and waits until the operator says it completed or failed. */
  async backup(cluster: DriverCluster, backup: { id: string; kind: BackupKind }, ctx: DriverOperationContext): Promise<DriverBackup> {
    const set = new ClusterManifests(this.#config, cluster);
    if (!cluster.spec.backups.enabled) throw new Error('Backups are not enabled for this cluster: it has no object store');
    await ctx.step('Request the backup', () => this.#api.applyCustom(CNPG.backup, set.backupManifest(backup.id)));
    return ctx.step('Wait for the backup to complete', async () => {
      for (;;) {
        const object = await this.#api.getCustom<CnpgBackup>(CNPG.backup, set.namespace, backupName(set.name, backup.id));
        const mapped = object && toDriverBackup(object);
        if (mapped?.state === 'completed') return mapped;
        if (mapped?.state === 'failed') throw new Error(`The backup failed: ${mapped.error ?? object?.status?.phase}`);
        ctx.signal.throwIfAborted();
        await new Promise(r => setTimeout(r, BACKUP_POLL_MS));
      }
    });
  }

  /** The cluster's Backup objects (Orochi's and the schedule's), newest first. */
  async list(cluster: DriverCluster): Promise<DriverBackup[]> {
    const set = new ClusterManifests(this.#config, cluster);
    const objects = await this.#api.listCustomIn<CnpgBackup>(CNPG.backup, set.namespace, '');
    return objects
      .filter(object => object.spec?.cluster?.name === set.name)
      .map(toDriverBackup)
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  async recoveryWindow(cluster: DriverCluster): Promise<RecoveryWindow> {
    const set = new ClusterManifests(this.#config, cluster);
    const store = await this.#api.getCustom<BarmanObjectStore>(CNPG.objectStore, set.namespace, objectStoreName(set.serverName));
    const object = await this.#api.getCustom<CnpgCluster>(CNPG.cluster, set.namespace, set.name);
    const archiving = !!object?.status?.conditions?.some(c => c.type === 'ContinuousArchiving' && c.status === 'True');
    return recoveryWindowOf(store, set.serverName, archiving);
  }

  /**
   * The new cluster's objects with its Cluster bootstrapped from the source: an ObjectStore in the new namespace
   * that reads the source's folder, and recovery to the target. The new cluster archives into its own folder
   * (its serverName has its own id): CloudNativePG refuses to archive into one that is not empty.
   */
  async recoveryFor(cluster: DriverCluster, source: DriverCluster, target: RestoreTarget): Promise<RecoveryBootstrap> {
    const set = new ClusterManifests(this.#config, cluster);
    const from = new ClusterManifests(this.#config, source);
    let barmanBackupId: string | undefined;
    if (target.type === 'backup') {
      const backups = await this.#api.listCustomIn<CnpgBackup>(CNPG.backup, from.namespace, '');
      const backup = backups.find(b => (b.metadata?.labels?.[BACKUP_ID_LABEL] ?? b.metadata?.name) === target.backupId);
      barmanBackupId = backup?.status?.backupId;
      if (!barmanBackupId) throw new Error(`${source.spec.name} has no completed backup ${target.backupId}`);
    }
    return recoveryBootstrap({ objectStore: sourceObjectStoreName(set.name), serverName: from.serverName, barmanBackupId }, target);
  }

  /** Applies the ObjectStore that reads the source's backups from the new cluster's namespace. */
  async applySourceStore(cluster: DriverCluster, source: DriverCluster) {
    const set = new ClusterManifests(this.#config, cluster);
    const from = new ClusterManifests(this.#config, source);
    await this.#api.applyCustom(
      CNPG.objectStore,
      set.objectStoreManifest({ name: sourceObjectStoreName(set.name), namespace: from.namespace }),
    );
  }

  /** Marks the deleted cluster's ObjectStore with the time, keeping it (and so the way to its backups). */
  async markDeleted(namespace: string, serverName: string) {
    const store = await this.#api.getCustom<BarmanObjectStore>(CNPG.objectStore, namespace, objectStoreName(serverName));
    if (!store) return;
    // A field manager of its own: applied as `orochi`, this partial object would remove the store's spec.
    await this.#api.applyCustom(
      CNPG.objectStore,
      {
        apiVersion: `${CNPG.objectStore.group}/${CNPG.objectStore.version}`,
        kind: CNPG.objectStore.kind,
        metadata: { name: objectStoreName(serverName), namespace, annotations: { [DELETED_AT_ANNOTATION]: new Date().toISOString() } },
      },
      RETENTION_FIELD_MANAGER,
    );
  }

  /**
   * Deletes this installation's ObjectStores of clusters deleted before `deletedBefore`. Deleting the object
   * does not empty the bucket: a lifecycle rule on `<destinationPath>/<namespace>/<serverName>/` does that.
   */
  async purgeDeleted(deletedBefore: Date): Promise<string[]> {
    const stores = (await this.#api.listCustom<BarmanObjectStore>(CNPG.objectStore, this.#scope.selector)).filter(this.#scope.owns);
    const purged: string[] = [];
    for (const store of stores) {
      const deletedAt = store.metadata?.annotations?.[DELETED_AT_ANNOTATION];
      if (!deletedAt || Date.parse(deletedAt) >= deletedBefore.getTime()) continue;
      await this.#api.deleteCustom(CNPG.objectStore, store.metadata!.namespace!, store.metadata!.name!);
      const id = store.metadata?.labels?.[CLUSTER_ID_LABEL];
      if (id) purged.push(id);
    }
    return [...new Set(purged)];
  }
}
