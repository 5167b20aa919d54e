/*
 * CloudNativePG's own strings: phases from api/v1/cluster_types.go, reasons from internal/controller
 * (cluster_upgrade.go, cluster_controller.go) and pkg/specs/podspec_diff.go, conditions from
 * pkg/resources/status/transactions.go. Spelled out here rather than taken from the driver, which reads them.
 */
const HEALTHY = 'Cluster in healthy state';
const UPGRADING = 'Upgrading cluster';
const WAITING = 'Waiting for the instances to become active';
const WAITING_REASON = 'Some instances are not yet active. Please wait.';
const PRIMARY_RESTART = 'Primary instance is being restarted without a switchover';
const RESOURCES_DIFFER = 'original and target PodSpec differ in containers: container postgres differs in resources';

interface Instance {
  /** The resources its pod was created with. */
  resources: string;
  ready: boolean;
}

/** What happens over the next reconciliations: an instance's pod deleted, then recreated; or a switchover. */
type Pending = { restart: string; stage: 'deleted' | 'down' } | { switchover: string; stage: 'promoting' | 'demoted' };

/**
 * The instances of one Cluster as CloudNativePG's pods: each created with the Cluster's spec of the moment (a
 * woken cluster's too). When the resources change, each tick is one reconciliation of CloudNativePG's rolling
 * update (internal/controller/cluster_upgrade.go, primaryUpdateStrategy unsupervised): the replicas one by one,
 * the most lagged first (equal lag: the last by name), each deleted and recreated; then the primary, restarted
 * without a switchover (`primaryUpdateMethod: restart`, the default), or (`switchover`) switched over to the first
 * replica, the old primary coming back as a replica and restarted like the others.
 */
export class PlayedInstances {
  readonly #instances = new Map<string, Instance>();
  #serial = 0;
  #primary = '';
  #target = '';
  #phase = HEALTHY;
  #reason = '';
  #pending?: Pending;

  /** One reconciliation of the Cluster; answers its status as the operator writes it (conditions aside). */
  reconcile(cluster: any, hibernated: boolean) {
    const name: string = cluster.metadata.name;
    const resources = JSON.stringify(cluster.spec.resources ?? {});
    if (hibernated) {
      this.#instances.forEach(instance => (instance.ready = false));
      this.#pending = undefined;
      [this.#phase, this.#reason] = [HEALTHY, ''];
    } else {
      this.#scale(name, cluster.spec.instances, resources);
      if (this.#pending) this.#advance(resources);
      else this.#rollOut(cluster.spec.primaryUpdateMethod ?? 'restart', resources);
    }
    const names = [...this.#instances.keys()].sort();
    return {
      phase: this.#phase,
      phaseReason: this.#reason,
      instances: this.#instances.size,
      readyInstances: names.filter(n => this.#instances.get(n)!.ready).length,
      instanceNames: names,
      instancesStatus: { healthy: names.filter(n => this.#instances.get(n)!.ready) },
      currentPrimary: this.#primary,
      targetPrimary: this.#target,
      writeService: `${name}-rw`,
      readService: `${name}-ro`,
    };
  }

  #scale(name: string, instances: number, resources: string) {
    if (!this.#pending) {
      // Pods that are gone (hibernation) come back with the spec of the moment.
      this.#instances.forEach(instance => !instance.ready && Object.assign(instance, { resources, ready: true }));
    }
    while (this.#instances.size < instances) this.#instances.set(`${name}-${++this.#serial}`, { resources, ready: true });
    const replicas = [...this.#instances.keys()].filter(n => n !== this.#primary);
    while (this.#instances.size > instances) this.#instances.delete(replicas.pop()!);
    if (!this.#primary) this.#primary = this.#target = `${name}-1`;
  }

  #advance(resources: string) {
    const pending = this.#pending!;
    if ('restart' in pending) {
      const instance = this.#instances.get(pending.restart)!;
      if (pending.stage === 'deleted') {
        instance.ready = false;
        // The in-place restart phases are kept while the pod is away; otherwise the operator waits for it.
        if (this.#phase !== PRIMARY_RESTART) [this.#phase, this.#reason] = [WAITING, WAITING_REASON];
        pending.stage = 'down';
      } else {
        Object.assign(instance, { resources, ready: true });
        this.#pending = undefined;
      }
    } else if (pending.stage === 'promoting') {
      // The target promotes itself; the old primary's instance manager shuts it down to rejoin as a replica.
      this.#instances.get(this.#primary)!.ready = false;
      this.#primary = pending.switchover;
      pending.stage = 'demoted';
    } else {
      this.#instances.forEach(instance => (instance.ready = true));
      this.#pending = undefined;
    }
  }

  #rollOut(method: 'restart' | 'switchover', resources: string) {
    const outdated = (n: string) => this.#instances.get(n)!.resources !== resources;
    const replicas = [...this.#instances.keys()].filter(n => n !== this.#primary).sort();
    const replica = replicas.filter(outdated).pop();
    if (replica) {
      [this.#phase, this.#reason] = [UPGRADING, `Restarting instance ${replica}, because: ${RESOURCES_DIFFER}`];
      this.#pending = { restart: replica, stage: 'deleted' };
    } else if (!outdated(this.#primary)) {
      [this.#phase, this.#reason] = [HEALTHY, ''];
    } else if (method === 'restart') {
      [this.#phase, this.#reason] = [PRIMARY_RESTART, RESOURCES_DIFFER];
      this.#pending = { restart: this.#primary, stage: 'deleted' };
    } else if (replicas.length) {
      [this.#phase, this.#reason] = [UPGRADING, RESOURCES_DIFFER];
      this.#target = replicas[0];
      this.#pending = { switchover: replicas[0], stage: 'promoting' };
    } else {
      [this.#phase, this.#reason] = [UPGRADING, `The primary instance needs to be restarted: ${this.#primary}, reason: ${RESOURCES_DIFFER}`];
      this.#pending = { restart: this.#primary, stage: 'deleted' };
    }
  }
}
