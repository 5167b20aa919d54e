import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { AutoscalingDecision } from '@orochi/backstage-plugin-orochi-common';
import { AutoscalingDecisionStore } from '../database/AutoscalingDecisionStore';
import { ClusterAccess } from '../service/ClusterAccess';

const MAX_MINUTES = 7 * 24 * 60;
/** Two rounds a minute for a week. */
const MAX_DECISIONS = 2 * MAX_MINUTES;

/** What the API reads of the autoscaler: a cluster's decisions, for those who may read the cluster. */
export class AutoscalingService {
  readonly #access: ClusterAccess;
  readonly #decisions: AutoscalingDecisionStore;

  constructor(options: { access: ClusterAccess; decisions: AutoscalingDecisionStore }) {
    this.#access = options.access;
    this.#decisions = options.decisions;
  }

  async decisions(credentials: BackstageCredentials, clusterId: string, minutes: number): Promise<AutoscalingDecision[]> {
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_MINUTES) {
      throw new InputError(`minutes: must be a whole number from 1 to ${MAX_MINUTES}`);
    }
    await this.#access.findReadable(credentials, clusterId);
    return this.#decisions.list(clusterId, { sinceMs: Date.now() - minutes * 60_000, limit: MAX_DECISIONS });
  }
}
