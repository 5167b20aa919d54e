import { LoggerService } from '@backstage/backend-plugin-api';
import { Informer, makeInformer, ObjectCache } from '@kubernetes/client-node';
import { KubeApi } from './KubeApi';
import { CLUSTER_ID_LABEL, CNPG } from './names';
import { CnpgCluster } from './status';

const RESTART_MS = 5000;
const LABEL_SELECTOR = 'app.kubernetes.io/managed-by=orochi';

/**
 * Every CloudNativePG Cluster Orochi manages, kept current by a watch (not by polling): reads come from memory,
 * and each change is announced. A broken watch starts again after a pause, listing anew.
 */
export class ClusterCache {
  readonly #informer: Informer<CnpgCluster> & ObjectCache<CnpgCluster>;
  readonly #logger: LoggerService;
  #stopped = false;
  #synced = false;

  constructor(api: KubeApi, logger: LoggerService, onChange: (clusterId: string) => void) {
    this.#logger = logger;
    const { group, version, plural } = CNPG.cluster;
    this.#informer = makeInformer<CnpgCluster>(
      api.config,
      `/apis/${group}/${version}/${plural}`,
      () => api.custom.listClusterCustomObject({ group, version, plural, labelSelector: LABEL_SELECTOR }),
      LABEL_SELECTOR,
    );
    const announce = (cluster: CnpgCluster) => {
      const id = cluster.metadata?.labels?.[CLUSTER_ID_LABEL];
      if (id) onChange(id);
    };
    this.#informer.on('add', announce);
    this.#informer.on('update', announce);
    this.#informer.on('delete', announce);
    this.#informer.on('connect', () => {
      this.#synced = true;
    });
    this.#informer.on('error', error => {
      this.#synced = false;
      if (this.#stopped) return;
      this.#logger.warn(`The watch of CloudNativePG clusters broke (${error}); starting it again in ${RESTART_MS / 1000} s`);
      setTimeout(() => !this.#stopped && this.#informer.start().catch(() => undefined), RESTART_MS);
    });
  }

  async start() {
    await this.#informer.start();
    this.#synced = true;
  }

  async stop() {
    this.#stopped = true;
    await this.#informer.stop();
  }

  /** The cached Cluster; `undefined` also when the cache is not in sync, so callers read the API instead. */
  get(namespace: string, name: string): { synced: boolean; cluster?: CnpgCluster } {
    return { synced: this.#synced, cluster: this.#informer.get(name, namespace) };
  }
}
