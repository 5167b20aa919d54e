import { ConflictError, ServiceUnavailableError } from '@backstage/errors';
import { DriverOperationContext } from '@orochi/backstage-plugin-orochi-node';
import { ClusterCache } from './ClusterCache';
import { KubeApi } from './KubeApi';
import { CNPG, HIBERNATION_ANNOTATION } from './names';
import { CnpgCluster, HEALTHY_PHASE } from './status';

/** CloudNativePG's phases of a rolling update (api/v1/cluster_types.go) and the reasons it gives for them. */
const UPGRADING = 'Upgrading cluster';
const WAITING = 'Waiting for the instances to become active';
const ROLLOUT_PHASES = new Set([
  UPGRADING,
  WAITING,
  'Switchover in progress',
  'Primary instance is being restarted without a switchover',
  'Primary instance is being restarted in-place',
]);
const PRIMARY_RESTART_PHASES = new Set(['Primary instance is being restarted without a switchover', 'Primary instance is being restarted in-place']);
/** internal/controller/cluster_upgrade.go: a replica's restart, and a single instance's (switchover method). */
const RESTARTING_REPLICA = /^Restarting instance (\S+), because:/;
const RESTARTING_SINGLE = /^The primary instance needs to be restarted: (\S+), reason:/;
/** While the cache is out of sync no change is announced; the API is read this often instead. */
const POLL_MS = 1000;

const SCALE: Record<string, number> = { m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** A Kubernetes quantity as a number ("2" and "2000m", "4096Mi" and "4Gi" alike); NaN for what it cannot read. */
function quantity(text: string | undefined): number {
  const match = /^(\d+(?:\.\d+)?)([a-zA-Z]*)$/.exec(text ?? '');
  return match && match[2] in SCALE ? Number(match[1]) * SCALE[match[2]] : NaN;
}

type Resources = NonNullable<CnpgCluster['spec']>['resources'];

/** Semantically, as CloudNativePG compares the pods' resources. */
function sameResources(a: Resources, b: Resources): boolean {
  return (['requests', 'limits'] as const).every(kind =>
    ['cpu', 'memory'].every(resource => {
      const [x, y] = [a?.[kind]?.[resource], b?.[kind]?.[resource]];
      return x === y || quantity(x) === quantity(y);
    }),
  );
}

/** "2 CPU / 4 GiB", what each instance runs with after the restart. */
function describeResources(resources: Resources): string {
  const round = (n: number) => Number(n.toFixed(2));
  return `${round(quantity(resources?.limits?.cpu))} CPU / ${round(quantity(resources?.limits?.memory) / 2 ** 30)} GiB`;
}

const hibernated = (cluster: CnpgCluster) => cluster.metadata?.annotations?.[HIBERNATION_ANNOTATION] === 'on';

/** One thing the operator does in a rolling update, named as the operation's step. */
function activityOf(cluster: CnpgCluster, resources: string): string | undefined {
  const { phase, phaseReason = '', currentPrimary, targetPrimary } = cluster.status ?? {};
  const replica = phase === UPGRADING && RESTARTING_REPLICA.exec(phaseReason)?.[1];
  if (replica) return `Restart instance ${replica} with ${resources}`;
  const single = phase === UPGRADING && RESTARTING_SINGLE.exec(phaseReason)?.[1];
  if (single) return `Restart primary ${single} with ${resources}`;
  if (currentPrimary && targetPrimary && targetPrimary !== currentPrimary) return `Switch over to ${targetPrimary}`;
  if (phase && PRIMARY_RESTART_PHASES.has(phase) && currentPrimary) return `Restart primary ${currentPrimary} with ${resources}`;
  return undefined;
}

const rolling = (cluster: CnpgCluster) => ROLLOUT_PHASES.has(cluster.status?.phase ?? '');

/** Healthy with every instance ready and no switchover pending. */
function settled(cluster: CnpgCluster): boolean {
  const { phase, readyInstances = 0, currentPrimary, targetPrimary } = cluster.status ?? {};
  return phase === HEALTHY_PHASE && readyInstances >= (cluster.spec?.instances ?? 1) && (!targetPrimary || targetPrimary === currentPrimary);
}

/**
 * Follows the rolling update CloudNativePG performs when a Cluster's pods change (their resources, here), and
 * records it as the operation's steps: each replica's restart, then the primary's (or a switchover and the old
 * primary's restart), until the cluster is healthy again. Made before the Cluster is applied, so that it misses
 * no change; followed once the rest is applied; stopped in any case. A run that finds no change to make but a
 * rollout in progress (the operation resumed after a crash) records what remains of it; one that finds it done
 * records none.
 */
export class Rollout {
  readonly #api: KubeApi;
  readonly #cache: ClusterCache;
  readonly #namespace: string;
  readonly #name: string;
  readonly #due: boolean;
  readonly #skip: boolean;
  readonly #resources: string;
  readonly #timeoutMs: number;
  readonly #unsubscribe: () => void;
  readonly #queue: Array<CnpgCluster | undefined> = [];
  #wake?: () => void;

  /** `existing` as it was before the apply, `desired` the Cluster manifest being applied. */
  constructor(options: { api: KubeApi; cache: ClusterCache; existing?: CnpgCluster; desired: CnpgCluster; timeoutSeconds: number }) {
    const { existing, desired } = options;
    this.#api = options.api;
    this.#cache = options.cache;
    this.#namespace = desired.metadata!.namespace!;
    this.#name = desired.metadata!.name!;
    // A hibernated cluster has no pods to restart; waking one starts its pods with the new spec.
    this.#skip = !existing || hibernated(existing) || hibernated(desired);
    this.#due = !this.#skip && !sameResources(existing?.spec?.resources, desired.spec?.resources);
    this.#resources = describeResources(desired.spec?.resources);
    this.#timeoutMs = options.timeoutSeconds * 1000;
    this.#unsubscribe = this.#cache.subscribe(this.#namespace, this.#name, cluster => this.#push(cluster));
  }

  /** Records the rollout's steps until the cluster is healthy again. */
  async follow(ctx: DriverOperationContext): Promise<void> {
    if (this.#skip) return;
    const first = await this.#first();
    let cluster: CnpgCluster;
    if (this.#due) cluster = await this.#until(first, ctx, rolling, 'CloudNativePG to begin the rolling update');
    else if (first && rolling(first)) cluster = first;
    else return;
    while (!settled(cluster)) {
      const activity = activityOf(cluster, this.#resources);
      cluster = activity
        ? await this.#record(cluster, activity, ctx)
        : await this.#until(cluster, ctx, c => settled(c) || !!activityOf(c, this.#resources), 'the rolling update to finish');
    }
  }

  /** One activity as a step: an instance is back once the operator moves on (between restarts it waits for them). */
  #record(cluster: CnpgCluster, activity: string, ctx: DriverOperationContext): Promise<CnpgCluster> {
    const done = (c: CnpgCluster) => activityOf(c, this.#resources) !== activity && c.status?.phase !== WAITING;
    return ctx.step(activity, () => this.#until(cluster, ctx, done, `"${activity}"`));
  }

  /** Stops listening to the Cluster's changes. */
  stop() {
    this.#unsubscribe();
  }

  #push(cluster: CnpgCluster | undefined) {
    this.#queue.push(cluster);
    this.#wake?.();
  }

  /** When a change is due, the oldest version since the subscription; otherwise the newest. */
  async #first(): Promise<CnpgCluster | undefined> {
    if (this.#due && this.#queue.length) return this.#queue.shift();
    this.#queue.length = 0;
    return this.#read();
  }

  async #read(): Promise<CnpgCluster | undefined> {
    const cached = this.#cache.get(this.#namespace, this.#name);
    return cached.synced ? cached.cluster : this.#api.getCustom<CnpgCluster>(CNPG.cluster, this.#namespace, this.#name);
  }

  /** Goes through the Cluster's versions from `cluster` on until one passes `test`, within the step timeout. */
  async #until(
    cluster: CnpgCluster | undefined,
    ctx: DriverOperationContext,
    test: (cluster: CnpgCluster) => boolean,
    what: string,
  ): Promise<CnpgCluster> {
    const deadline = Date.now() + this.#timeoutMs;
    let current = cluster;
    for (;;) {
      if (!current) throw new ConflictError(`The Cluster ${this.#namespace}/${this.#name} was deleted during its rolling update`);
      if (test(current)) return current;
      ctx.signal.throwIfAborted();
      if (Date.now() > deadline) throw this.#timedOut(current, what);
      current = this.#queue.length ? this.#queue.shift() : await this.#next(current, ctx.signal, deadline);
    }
  }

  /** The next version: announced by the cache, or read from the API while the cache is out of sync. */
  async #next(current: CnpgCluster, signal: AbortSignal, deadline: number): Promise<CnpgCluster | undefined> {
    const wait = Math.min(POLL_MS, Math.max(0, deadline - Date.now()) + 1);
    await new Promise<void>(resolve => {
      let timer: NodeJS.Timeout | undefined = undefined;
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.#wake = undefined;
        resolve();
      };
      timer = setTimeout(done, wait);
      signal.addEventListener('abort', done);
      this.#wake = done;
    });
    if (this.#queue.length) return this.#queue.shift();
    return this.#cache.synced ? current : this.#read();
  }

  #timedOut(cluster: CnpgCluster, what: string) {
    const { phase = 'no phase', phaseReason, readyInstances = 0 } = cluster.status ?? {};
    return new ServiceUnavailableError(
      `Waited ${this.#timeoutMs / 1000}s for ${what}: the Cluster ${this.#namespace}/${this.#name} is still ` +
        `"${phase}"${phaseReason ? ` (${phaseReason})` : ''}, ${readyInstances} of ${cluster.spec?.instances ?? 1} instances ready`,
    );
  }
}
