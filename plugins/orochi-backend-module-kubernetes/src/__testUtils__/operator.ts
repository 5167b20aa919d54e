import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { CNPG } from '../names';
import { HEALTHY_PHASE } from '../status';
import { PlayedInstances } from './instances';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const managed = 'app.kubernetes.io/managed-by=orochi';

/**
 * Stands in for the CloudNativePG operator and its Barman Cloud plugin, which the test API server does not run,
 * in the namespaces of this test: each Cluster's instances played by `PlayedInstances` (ready, rolled out one by
 * one when the resources change, archiving WAL when it has the plugin), or hibernated when annotated so; each
 * Backup completed; each ObjectStore with a recovery window for
 * every server that archives into it, from `windowStart` on.
 */
export function playOperator(custom: CustomObjectsApi, namespacePrefix: string, windowStart = new Date(Date.now() - 3_600_000)) {
  const ours = (object: any) => object.metadata.namespace.startsWith(namespacePrefix);
  const patchStatus = (kind: (typeof CNPG)[keyof typeof CNPG], object: any, status: object) =>
    custom.patchNamespacedCustomObjectStatus(
      { ...kind, namespace: object.metadata.namespace, name: object.metadata.name, body: { status } },
      mergePatch,
    );

  const played = new Map<string, PlayedInstances>();
  async function clusters() {
    const list = await custom.listClusterCustomObject({ ...CNPG.cluster, labelSelector: managed });
    for (const cluster of (list.items as any[]).filter(ours)) {
      const { name, namespace, annotations = {} } = cluster.metadata;
      const hibernated = annotations['cnpg.io/hibernation'] === 'on';
      const archiving = (cluster.spec.plugins ?? []).some((p: { isWALArchiver?: boolean }) => p.isWALArchiver);
      const key = `${namespace}/${name}/${cluster.metadata.uid}`;
      const instances = played.get(key) ?? new PlayedInstances();
      played.set(key, instances);
      const state = instances.reconcile(cluster, hibernated);
      const ready = !hibernated && state.phase === HEALTHY_PHASE && state.readyInstances === state.instances;
      const now = new Date().toISOString();
      let readyReason = ready ? 'ClusterIsReady' : 'ClusterIsNotReady';
      if (hibernated) readyReason = 'Hibernated';
      const status = {
        ...state,
        conditions: [
          { type: 'Ready', status: ready ? 'True' : 'False', reason: readyReason, message: '', lastTransitionTime: now },
          ...(hibernated ? [{ type: 'cnpg.io/hibernation', status: 'True', reason: 'Hibernated', message: 'Cluster has been hibernated', lastTransitionTime: now }] : []),
          ...(archiving && !hibernated ? [{ type: 'ContinuousArchiving', status: 'True', reason: 'ContinuousArchivingSuccess', message: '', lastTransitionTime: now }] : []),
        ],
      };
      // Written only when it changes, as the operator does: each write is a watch event.
      const fingerprint = (s: any) =>
        JSON.stringify({ ...s, instancesStatus: undefined, conditions: (s?.conditions ?? []).map((c: any) => [c.type, c.status, c.reason]) });
      if (fingerprint(cluster.status) !== fingerprint(status)) await patchStatus(CNPG.cluster, cluster, status);
    }
  }

  async function backups() {
    const list = await custom.listClusterCustomObject({ ...CNPG.backup });
    for (const backup of (list.items as any[]).filter(ours)) {
      if (backup.status?.phase) continue;
      const startedAt = new Date(Date.now() - 1000).toISOString();
      await patchStatus(CNPG.backup, backup, {
        phase: 'completed',
        method: 'plugin',
        startedAt,
        stoppedAt: new Date().toISOString(),
        beginWal: '000000010000000000000004',
        endWal: '000000010000000000000005',
        backupId: `barman-${backup.metadata.name}`,
      });
    }
  }

  async function objectStores() {
    const clusterList = await custom.listClusterCustomObject({ ...CNPG.cluster, labelSelector: managed });
    const stores = await custom.listClusterCustomObject({ ...CNPG.objectStore, labelSelector: managed });
    for (const store of (stores.items as any[]).filter(ours)) {
      const servers = (clusterList.items as any[])
        .filter(c => c.metadata.namespace === store.metadata.namespace)
        .flatMap(c => c.spec.plugins ?? [])
        .filter((p: any) => p.parameters?.barmanObjectName === store.metadata.name)
        .map((p: any) => p.parameters.serverName as string);
      // As the plugin does, a server's window stays in the status once its cluster is gone.
      const window = {
        ...store.status?.serverRecoveryWindow,
        ...Object.fromEntries(
          servers.map(server => [server, { firstRecoverabilityPoint: windowStart.toISOString(), lastSuccessfulBackupTime: windowStart.toISOString() }]),
        ),
      };
      if (JSON.stringify(store.status?.serverRecoveryWindow ?? {}) === JSON.stringify(window)) continue;
      await patchStatus(CNPG.objectStore, store, { serverRecoveryWindow: window });
    }
  }

  let stopped = false;
  const loop = async () => {
    while (!stopped) {
      for (const tick of [clusters, backups, objectStores]) await tick().catch(() => undefined);
      await new Promise(r => setTimeout(r, 200));
    }
  };
  void loop();
  return () => {
    stopped = true;
  };
}
