import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { ClusterChange, Operation } from '@orochi/backstage-plugin-orochi-common';
import { createHash } from 'node:crypto';
import { OrochiStore } from '../database/OrochiStore';
import { ClusterAccess } from './ClusterAccess';

const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

/**
 * `Idempotency-Key` for requests that create a cluster (create, restore, branch): a repeated key answers the
 * cluster and operation the first request created. Keys are scoped to who sent them, so two callers' keys never
 * collide, and stored as a digest, so a key of any allowed length fits the column.
 */
export class IdempotentRequests {
  readonly #store: OrochiStore;
  readonly #access: ClusterAccess;

  constructor(options: { store: OrochiStore; access: ClusterAccess }) {
    this.#store = options.store;
    this.#access = options.access;
  }

  /** The key as stored, or undefined without one; a 400 for a key that is empty, too long or not printable. */
  scope(credentials: BackstageCredentials, key: string | undefined): string | undefined {
    if (key === undefined) return undefined;
    if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH || !/^[\x20-\x7e]+$/.test(key)) {
      throw new InputError(`Idempotency-Key: must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters`);
    }
    return `sha256:${createHash('sha256').update(`${this.#access.principal(credentials)}\n${key}`).digest('hex')}`;
  }

  /** What the first request with this key created, for the caller to answer again; undefined if none did. */
  async earlier(credentials: BackstageCredentials, scopedKey: string | undefined): Promise<ClusterChange | undefined> {
    const operation = scopedKey ? await this.#store.findOperationByIdempotencyKey(scopedKey) : undefined;
    if (!operation) return undefined;
    const { clusterOwner: _owner, ...rest } = operation;
    const cluster = await this.#access.findReadable(credentials, operation.clusterId);
    return { cluster, operation: rest as Operation };
  }
}
