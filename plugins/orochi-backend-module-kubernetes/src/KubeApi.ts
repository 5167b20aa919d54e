import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObject,
  PatchStrategy,
  RbacAuthorizationV1Api,
  setHeaderOptions,
  V1Namespace,
  V1Pod,
  V1Secret,
} from '@kubernetes/client-node';
import { CustomKind, FIELD_MANAGER } from './names';
import { Manifest } from './manifests';

const ATTEMPTS = 4;
const BACKOFF_MS = 250;

/** A request that failed for good: the API server refused it (invalid, forbidden) or stayed unreachable. */
export class KubernetesRequestError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number,
    detail: string,
    /** The Status object's reason, e.g. `AlreadyExists`. */
    readonly reason?: string,
  ) {
    super(`Kubernetes did not ${operation} (${status ? `HTTP ${status}` : 'no answer'}): ${detail}`);
    this.name = 'KubernetesRequestError';
  }
}

function statusOf(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

function statusBodyOf(error: ApiException<unknown>): any {
  try {
    return typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
  } catch {
    return undefined;
  }
}

/** The Status object's message and, for invalid objects, each field's cause. */
function detailOf(error: unknown): string {
  if (!(error instanceof ApiException)) return error instanceof Error ? error.message : String(error);
  const body = statusBodyOf(error);
  if (body === undefined) return String(error.body);
  const causes = (body?.details?.causes ?? []).map((c: { field?: string; message?: string }) => `${c.field ?? ''}: ${c.message ?? ''}`);
  return [body?.message ?? error.message, ...causes].join('; ');
}

const reasonOf = (error: unknown): string | undefined =>
  error instanceof ApiException ? statusBodyOf(error)?.reason : undefined;

/** Conflicts, throttling, server errors and broken connections pass; everything else is final, as is "exists". */
function isTransient(error: unknown): boolean {
  const status = statusOf(error);
  if (status === 409 && reasonOf(error) === 'AlreadyExists') return false;
  if (status !== undefined) return status === 409 || status === 429 || status >= 500;
  // fetch (undici) fails with `TypeError: fetch failed` and the socket's error, with its code, as the cause.
  const code = (error as NodeJS.ErrnoException)?.code ?? ((error as Error)?.cause as NodeJS.ErrnoException | undefined)?.code;
  return ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'UND_ERR_SOCKET'].includes(code ?? '') || /timeout|socket hang up/i.test(String(error));
}

async function retrying<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt < ATTEMPTS && isTransient(error)) {
        await new Promise(r => setTimeout(r, BACKOFF_MS * 2 ** (attempt - 1)));
        continue;
      }
      throw new KubernetesRequestError(operation, statusOf(error) ?? 0, detailOf(error), reasonOf(error));
    }
  }
}

const apply = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);

/**
 * The few Kubernetes calls the driver makes: server-side apply as field manager `orochi` with strict field
 * validation, reads that answer undefined for what does not exist, and deletes that tolerate it.
 */
export class KubeApi {
  readonly core: CoreV1Api;
  readonly custom: CustomObjectsApi;
  readonly rbac: RbacAuthorizationV1Api;

  constructor(readonly config: KubeConfig) {
    this.core = config.makeApiClient(CoreV1Api);
    this.custom = config.makeApiClient(CustomObjectsApi);
    this.rbac = config.makeApiClient(RbacAuthorizationV1Api);
  }

  readNamespace(name: string): Promise<V1Namespace | undefined> {
    return this.#orUndefined(`read namespace ${name}`, () => this.core.readNamespace({ name }));
  }

  /** Creates the namespace; undefined when it exists already. Creating needs less than applying (no patch). */
  createNamespace(manifest: Manifest): Promise<V1Namespace | undefined> {
    return this.#unlessExists(`create namespace ${manifest.metadata.name}`, () =>
      this.core.createNamespace({ body: manifest, fieldManager: FIELD_MANAGER, fieldValidation: 'Strict' }),
    );
  }

  /** Creates the RoleBinding; nothing when one of that name exists already (its role cannot change anyway). */
  async createRoleBinding(manifest: Manifest): Promise<void> {
    const { name, namespace } = manifest.metadata;
    await this.#unlessExists(`create rolebinding ${namespace}/${name}`, () =>
      this.rbac.createNamespacedRoleBinding({ namespace: namespace!, body: manifest as any, fieldManager: FIELD_MANAGER, fieldValidation: 'Strict' }),
    );
  }

  applyNamespace(manifest: Manifest) {
    return retrying(`apply namespace ${manifest.metadata.name}`, () =>
      this.core.patchNamespace(
        { name: manifest.metadata.name, body: manifest, fieldManager: FIELD_MANAGER, force: true, fieldValidation: 'Strict' },
        apply,
      ),
    );
  }

  applySecret(manifest: Manifest) {
    return retrying(`apply secret ${manifest.metadata.namespace}/${manifest.metadata.name}`, () =>
      this.core.patchNamespacedSecret(
        {
          name: manifest.metadata.name,
          namespace: manifest.metadata.namespace!,
          body: manifest,
          fieldManager: FIELD_MANAGER,
          force: true,
          fieldValidation: 'Strict',
        },
        apply,
      ),
    );
  }

  async readSecret(namespace: string, name: string) {
    return this.#orUndefined(`read secret ${namespace}/${name}`, () => this.core.readNamespacedSecret({ namespace, name }));
  }

  readPod(namespace: string, name: string): Promise<V1Pod | undefined> {
    return this.#orUndefined(`read pod ${namespace}/${name}`, () => this.core.readNamespacedPod({ namespace, name }));
  }

  /** The pod's PodMetrics from the metrics API (metrics-server); undefined when there are none, or no such API. */
  readPodMetrics(namespace: string, name: string): Promise<unknown> {
    return this.#orUndefined(`read the metrics of pod ${namespace}/${name}`, () =>
      this.custom.getNamespacedCustomObject({ group: 'metrics.k8s.io', version: 'v1beta1', plural: 'pods', namespace, name }),
    );
  }

  applyCustom(kind: CustomKind, manifest: Manifest, fieldManager = FIELD_MANAGER) {
    const { name, namespace } = manifest.metadata;
    return retrying(`apply ${kind.kind} ${namespace}/${name}`, () =>
      this.custom.patchNamespacedCustomObject(
        {
          group: kind.group,
          version: kind.version,
          plural: kind.plural,
          namespace: namespace!,
          name,
          body: manifest,
          fieldManager,
          force: true,
          fieldValidation: 'Strict',
        },
        apply,
      ),
    );
  }

  getCustom<T extends KubernetesObject>(kind: CustomKind, namespace: string, name: string): Promise<T | undefined> {
    return this.#orUndefined(`read ${kind.kind} ${namespace}/${name}`, () =>
      this.custom.getNamespacedCustomObject({ group: kind.group, version: kind.version, plural: kind.plural, namespace, name }),
    );
  }

  async listCustom<T extends KubernetesObject>(kind: CustomKind, labelSelector: string): Promise<T[]> {
    return (await this.listCustomWithVersion<T>(kind, labelSelector)).items;
  }

  /** Every object of the kind in all namespaces, with the list's resourceVersion to watch from. */
  async listCustomWithVersion<T extends KubernetesObject>(kind: CustomKind, labelSelector: string) {
    const list = await retrying(`list ${kind.plural}`, () =>
      this.custom.listClusterCustomObject({ group: kind.group, version: kind.version, plural: kind.plural, labelSelector }),
    );
    return { items: list.items as T[], resourceVersion: String(list.metadata?.resourceVersion ?? '') };
  }

  /** The objects of the kind in one namespace; none when the kind is not installed (e.g. no Barman Cloud plugin). */
  async listCustomIn<T extends KubernetesObject>(kind: CustomKind, namespace: string, labelSelector: string): Promise<T[]> {
    const list = await this.#orUndefined(`list ${kind.plural} in ${namespace}`, () =>
      this.custom.listNamespacedCustomObject({ group: kind.group, version: kind.version, plural: kind.plural, namespace, labelSelector }),
    );
    return (list?.items ?? []) as T[];
  }

  async listSecrets(namespace: string, labelSelector: string): Promise<V1Secret[]> {
    const list = await retrying(`list secrets in ${namespace}`, () => this.core.listNamespacedSecret({ namespace, labelSelector }));
    return list.items;
  }

  async deleteCustom(kind: CustomKind, namespace: string, name: string): Promise<void> {
    await this.#orUndefined(`delete ${kind.kind} ${namespace}/${name}`, () =>
      this.custom.deleteNamespacedCustomObject({ group: kind.group, version: kind.version, plural: kind.plural, namespace, name }),
    );
  }

  async deleteSecret(namespace: string, name: string): Promise<void> {
    await this.#orUndefined(`delete secret ${namespace}/${name}`, () => this.core.deleteNamespacedSecret({ namespace, name }));
  }

  async #unlessExists<T>(operation: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await retrying(operation, fn);
    } catch (error) {
      if (error instanceof KubernetesRequestError && error.reason === 'AlreadyExists') return undefined;
      throw error;
    }
  }

  async #orUndefined<T>(operation: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await retrying(operation, fn);
    } catch (error) {
      if (error instanceof KubernetesRequestError && error.status === 404) return undefined;
      throw error;
    }
  }
}
