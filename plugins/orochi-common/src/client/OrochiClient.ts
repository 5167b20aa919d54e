import { ResponseError } from '@backstage/errors';
import { ListClustersQuery, OrochiApi, OrochiRequestOptions, UsageQuery } from './OrochiApi';
import { AccountChange, BillingAccount, BillingSummary, ClusterUsage, UsageReport } from '../domain/billing';
import { ClusterChange, ClusterMetrics, ClusterPage, DeletedCluster } from '../api/responses';
import { Cluster, ConnectionDetails } from '../domain/cluster';
import { Backup, BranchRequest, RecoveryWindow, RestoreRequest } from '../domain/backups';
import { AutoscalingDecision } from '../domain/autoscaling';
import { Offering } from '../domain/offering';
import { Operation } from '../domain/operations';
import {
  CreateClusterRequest,
  UpdateClusterRequest,
} from '../domain/requests';

/** The parts of Backstage's discovery and fetch APIs the client needs; frontend and backend both provide them. */
export interface OrochiClientOptions {
  discoveryApi: { getBaseUrl(pluginId: string): Promise<string> };
  fetchApi?: { fetch: typeof fetch };
}

/** A typed client for the Orochi REST API. */
export class OrochiClient implements OrochiApi {
  readonly #discoveryApi: OrochiClientOptions['discoveryApi'];
  readonly #fetch: typeof fetch;

  constructor(options: OrochiClientOptions) {
    this.#discoveryApi = options.discoveryApi;
    this.#fetch = options.fetchApi?.fetch ?? fetch;
  }

  getOffering(options?: OrochiRequestOptions): Promise<Offering> {
    return this.#request('GET', '/config', options);
  }

  listClusters(
    query: ListClustersQuery = {},
    options?: OrochiRequestOptions,
  ): Promise<ClusterPage> {
    const params = new URLSearchParams();
    query.owner?.forEach(owner => params.append('owner', owner));
    query.status?.forEach(status => params.append('status', status));
    if (query.search) params.set('search', query.search);
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.offset !== undefined) params.set('offset', String(query.offset));
    const qs = params.toString();
    return this.#request('GET', `/clusters${qs ? `?${qs}` : ''}`, options);
  }

  wakeClusterOnConnect(id: string, options?: OrochiRequestOptions): Promise<Cluster> {
    return this.#request('POST', `/clusters/${encodeURIComponent(id)}/wake-on-connect`, options);
  }

  getCluster(id: string, options?: OrochiRequestOptions): Promise<Cluster> {
    return this.#request('GET', `/clusters/${encodeURIComponent(id)}`, options);
  }

  createCluster(
    request: CreateClusterRequest,
    options?: OrochiRequestOptions & { idempotencyKey?: string },
  ): Promise<ClusterChange> {
    return this.#request('POST', '/clusters', options, request, {
      ...(options?.idempotencyKey
        ? { 'Idempotency-Key': options.idempotencyKey }
        : {}),
    });
  }

  updateCluster(
    id: string,
    request: UpdateClusterRequest,
    options?: OrochiRequestOptions,
  ): Promise<ClusterChange> {
    return this.#request(
      'PATCH',
      `/clusters/${encodeURIComponent(id)}`,
      options,
      request,
    );
  }

  hibernateCluster(
    id: string,
    options?: OrochiRequestOptions,
  ): Promise<ClusterChange> {
    return this.#request(
      'POST',
      `/clusters/${encodeURIComponent(id)}/hibernate`,
      options,
    );
  }

  wakeCluster(id: string, options?: OrochiRequestOptions): Promise<ClusterChange> {
    return this.#request(
      'POST',
      `/clusters/${encodeURIComponent(id)}/wake`,
      options,
    );
  }

  deleteCluster(
    id: string,
    options?: OrochiRequestOptions,
  ): Promise<ClusterChange> {
    return this.#request(
      'DELETE',
      `/clusters/${encodeURIComponent(id)}`,
      options,
    );
  }

  listClusterOperations(
    id: string,
    options?: OrochiRequestOptions,
  ): Promise<{ items: Operation[] }> {
    return this.#request(
      'GET',
      `/clusters/${encodeURIComponent(id)}/operations`,
      options,
    );
  }

  getOperation(id: string, options?: OrochiRequestOptions): Promise<Operation> {
    return this.#request(
      'GET',
      `/operations/${encodeURIComponent(id)}`,
      options,
    );
  }

  getMetrics(
    id: string,
    query: { minutes?: number } = {},
    options?: OrochiRequestOptions,
  ): Promise<ClusterMetrics> {
    const qs = query.minutes !== undefined ? `?minutes=${query.minutes}` : '';
    return this.#request('GET', `/clusters/${encodeURIComponent(id)}/metrics${qs}`, options);
  }

  listAutoscalingDecisions(
    id: string,
    query: { minutes?: number } = {},
    options?: OrochiRequestOptions,
  ): Promise<{ items: AutoscalingDecision[] }> {
    const qs = query.minutes !== undefined ? `?minutes=${query.minutes}` : '';
    return this.#request('GET', `/clusters/${encodeURIComponent(id)}/autoscaling/decisions${qs}`, options);
  }

  revealCredentials(
    id: string,
    options?: OrochiRequestOptions,
  ): Promise<ConnectionDetails> {
    return this.#request(
      'GET',
      `/clusters/${encodeURIComponent(id)}/credentials`,
      options,
    );
  }

  backupCluster(id: string, options?: OrochiRequestOptions): Promise<ClusterChange> {
    return this.#request('POST', `/clusters/${encodeURIComponent(id)}/backups`, options);
  }

  listBackups(id: string, options?: OrochiRequestOptions): Promise<{ items: Backup[] }> {
    return this.#request('GET', `/clusters/${encodeURIComponent(id)}/backups`, options);
  }

  getRecoveryWindow(id: string, options?: OrochiRequestOptions): Promise<RecoveryWindow> {
    return this.#request('GET', `/clusters/${encodeURIComponent(id)}/recovery-window`, options);
  }

  restoreCluster(id: string, request: RestoreRequest, options?: OrochiRequestOptions): Promise<ClusterChange> {
    return this.#request('POST', `/clusters/${encodeURIComponent(id)}/restore`, options, request);
  }

  createBranch(id: string, request: BranchRequest, options?: OrochiRequestOptions): Promise<ClusterChange> {
    return this.#request('POST', `/clusters/${encodeURIComponent(id)}/branches`, options, request);
  }

  listBranches(id: string, options?: OrochiRequestOptions): Promise<{ items: Cluster[] }> {
    return this.#request('GET', `/clusters/${encodeURIComponent(id)}/branches`, options);
  }

  listDeletedClusters(options?: OrochiRequestOptions): Promise<{ items: DeletedCluster[] }> {
    return this.#request('GET', '/deleted-clusters', options);
  }

  restoreDeletedCluster(id: string, request: RestoreRequest, options?: OrochiRequestOptions): Promise<ClusterChange> {
    return this.#request('POST', `/deleted-clusters/${encodeURIComponent(id)}/restore`, options, request);
  }

  getBilling(group: string, options?: OrochiRequestOptions): Promise<BillingSummary> {
    return this.#request('GET', `/billing/accounts/${encodeURIComponent(group)}`, options);
  }

  getAccountUsage(group: string, query: UsageQuery = {}, options?: OrochiRequestOptions): Promise<UsageReport> {
    return this.#request('GET', `/billing/accounts/${encodeURIComponent(group)}/usage${usageQueryString(query)}`, options);
  }

  getAccountClusterUsage(group: string, options?: OrochiRequestOptions): Promise<{ items: ClusterUsage[] }> {
    return this.#request('GET', `/billing/accounts/${encodeURIComponent(group)}/clusters`, options);
  }

  getClusterUsage(id: string, query: UsageQuery = {}, options?: OrochiRequestOptions): Promise<UsageReport> {
    return this.#request('GET', `/clusters/${encodeURIComponent(id)}/usage${usageQueryString(query)}`, options);
  }

  updateBillingAccount(group: string, change: AccountChange, options?: OrochiRequestOptions): Promise<BillingAccount> {
    return this.#request('PATCH', `/billing/accounts/${encodeURIComponent(group)}`, options, change);
  }

  createCheckout(group: string, plan: string, options?: OrochiRequestOptions): Promise<{ url: string }> {
    return this.#request('POST', `/billing/accounts/${encodeURIComponent(group)}/checkout`, options, { plan });
  }

  createBillingPortal(group: string, options?: OrochiRequestOptions): Promise<{ url: string }> {
    return this.#request('POST', `/billing/accounts/${encodeURIComponent(group)}/portal`, options);
  }

  async #request<T>(
    method: string,
    path: string,
    options?: OrochiRequestOptions,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const baseUrl = await this.#discoveryApi.getBaseUrl('orochi');
    const response = await this.#fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...headers,
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...(options?.token ? { Authorization: `Bearer ${options.token}` } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal: options?.signal,
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}

function usageQueryString(query: UsageQuery): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}
