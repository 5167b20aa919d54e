import { LoggerService } from '@backstage/backend-plugin-api';
import { Watch } from '@kubernetes/client-node';
import { KubeApi } from './KubeApi';
import { CLUSTER_ID_LABEL, CNPG } from './names';
import { InstallationScope } from './scope';
import { CnpgCluster } from './status';

const RESTART_MS = 5000;
/** The server ends each watch after this long, so a watch that stays quiet is known to be alive. */
const WATCH_SECONDS = 20;
/** A watch the server ends sooner than this is treated as broken, so a failing server is not asked in a loop. */
const SHORTEST_WATCH_MS = 1000;

const keyOf = (namespace: string, name: string) => `${namespace}/${name}`;

/**
 * Every CloudNativePG Cluster of this installation, kept current by a watch (not by polling): reads come from
 * memory, and each change is announced. The cache is in sync only from the moment a list succeeded until the watch
 * after it breaks; then it lists anew after a pause, and reads go to the API server meanwhile. A watch the server
 * ends normally goes on from the last version seen, staying in sync; one whose version expired lists at once.
 */
export class ClusterCache {
  readonly #api: KubeApi;
  readonly #scope: InstallationScope;
  readonly #logger: LoggerService;
  readonly #onChange: (clusterId: string) => void;
  readonly #restartMs: number;
  readonly #watchSeconds: number;
  readonly #watch: Watch;
  #objects = new Map<string, CnpgCluster>();
  readonly #subscribers = new Map<string, Set<(cluster?: CnpgCluster) => void>>();
  #resourceVersion = '';
  #synced = false;
  #stopped = false;
  #request?: AbortController;
  #timer?: NodeJS.Timeout;
  #watchStarted = 0;

  constructor(
    api: KubeApi,
    scope: InstallationScope,
    logger: LoggerService,
    onChange: (clusterId: string) => void,
    options: { restartMs?: number; watchSeconds?: number } = {},
  ) {
    this.#api = api;
    this.#scope = scope;
    this.#logger = logger;
    this.#onChange = onChange;
    this.#restartMs = options.restartMs ?? RESTART_MS;
    this.#watchSeconds = options.watchSeconds ?? WATCH_SECONDS;
    this.#watch = new Watch(api.config);
  }

  /** Lists, then watches. Resolves after the first attempt: when the list failed, it is tried again later. */
  async start() {
    this.#stopped = false;
    await this.#list();
  }

  async stop() {
    this.#stopped = true;
    this.#synced = false;
    clearTimeout(this.#timer);
    this.#request?.abort();
    this.#request = undefined;
  }

  /** Whether reads from the cache are current: a list succeeded and the watch after it has not broken. */
  get synced() {
    return this.#synced;
  }

  /** The cached Cluster; when the cache is not in sync there is none, and callers read the API instead. */
  get(namespace: string, name: string): { synced: boolean; cluster?: CnpgCluster } {
    return this.#synced ? { synced: true, cluster: this.#objects.get(keyOf(namespace, name)) } : { synced: false };
  }

  /**
   * Calls `onChange` with every version of one Cluster the watch (or a list) brings, as it comes, and with
   * undefined once it is gone; answers the function that stops it.
   */
  subscribe(namespace: string, name: string, onChange: (cluster?: CnpgCluster) => void): () => void {
    const key = keyOf(namespace, name);
    const subscribers = this.#subscribers.get(key) ?? new Set();
    subscribers.add(onChange);
    this.#subscribers.set(key, subscribers);
    return () => {
      subscribers.delete(onChange);
      if (!subscribers.size) this.#subscribers.delete(key);
    };
  }

  async #list() {
    this.#synced = false;
    let list;
    try {
      list = await this.#api.listCustomWithVersion<CnpgCluster>(CNPG.cluster, this.#scope.selector);
    } catch (error) {
      this.#retryLater(`listing them failed (${error})`);
      return;
    }
    if (this.#stopped) return;
    const previous = this.#objects;
    this.#objects = new Map();
    for (const cluster of list.items.filter(this.#scope.owns)) {
      const key = keyOf(cluster.metadata!.namespace!, cluster.metadata!.name!);
      this.#objects.set(key, cluster);
      if (previous.get(key)?.metadata?.resourceVersion !== cluster.metadata?.resourceVersion) this.#announce(cluster);
    }
    // Clusters deleted while the watch was down.
    for (const [key, cluster] of previous) if (!this.#objects.has(key)) this.#announce(cluster);
    this.#resourceVersion = list.resourceVersion;
    this.#synced = true;
    await this.#watchFromVersion();
  }

  async #watchFromVersion() {
    if (this.#stopped) return;
    const { group, version, plural } = CNPG.cluster;
    this.#watchStarted = Date.now();
    this.#logger.debug(`Watching CloudNativePG clusters from version ${this.#resourceVersion}`);
    try {
      this.#request = await this.#watch.watch(
        `/apis/${group}/${version}/${plural}`,
        { labelSelector: this.#scope.selector, resourceVersion: this.#resourceVersion, allowWatchBookmarks: true, timeoutSeconds: this.#watchSeconds },
        (type, object) => this.#event(type, object),
        error => this.#ended(error),
      );
    } catch (error) {
      this.#ended(error);
    }
  }

  #event(type: string, object: CnpgCluster) {
    if (type === 'ERROR') {
      // A Status, such as 410 Gone: the version is too old to watch from; the server ends the watch next.
      this.#resourceVersion = '';
      return;
    }
    if (object.metadata?.resourceVersion) this.#resourceVersion = object.metadata.resourceVersion;
    if (type === 'BOOKMARK') return;
    const key = keyOf(object.metadata?.namespace ?? '', object.metadata?.name ?? '');
    if (type !== 'DELETED' && this.#scope.owns(object)) {
      this.#objects.set(key, object);
      this.#announce(object);
    } else if (this.#objects.delete(key)) {
      this.#announce(object);
    }
  }

  #ended(error: unknown) {
    this.#request = undefined;
    if (this.#stopped) return;
    if (!error && this.#resourceVersion && Date.now() - this.#watchStarted >= SHORTEST_WATCH_MS) {
      this.#schedule(0, () => this.#watchFromVersion());
    } else if (!error && !this.#resourceVersion) {
      this.#synced = false;
      this.#schedule(0, () => this.#list());
    } else {
      this.#retryLater(error ? `the watch broke (${error})` : 'the server ended the watch at once');
    }
  }

  #retryLater(reason: string) {
    this.#synced = false;
    if (this.#stopped) return;
    this.#logger.warn(`The cache of CloudNativePG clusters is out of sync: ${reason}; listing them again in ${this.#restartMs} ms`);
    this.#schedule(this.#restartMs, () => this.#list());
  }

  #schedule(ms: number, next: () => Promise<void>) {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      if (!this.#stopped) void next();
    }, ms);
  }

  #announce(cluster: CnpgCluster) {
    const key = keyOf(cluster.metadata?.namespace ?? '', cluster.metadata?.name ?? '');
    this.#subscribers.get(key)?.forEach(onChange => onChange(this.#objects.get(key)));
    const id = cluster.metadata?.labels?.[CLUSTER_ID_LABEL];
    if (id) this.#onChange(id);
  }
}
