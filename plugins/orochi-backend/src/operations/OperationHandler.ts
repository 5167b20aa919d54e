import {
  Cluster,
  ClusterStatus,
  OperationParameters,
  OperationType,
} from '@orochi/backstage-plugin-orochi-common';
import { DriverCluster, DriverOperationContext } from '@orochi/backstage-plugin-orochi-node';
import { ClaimedOperation } from '../database/OrochiStore';

/** What a handler is given for one run of an operation. */
export interface OperationRun<T extends OperationType> {
  operation: ClaimedOperation & { type: T };
  /** The operation's parameters, validated against its type's schema. */
  parameters: OperationParameters<T>;
  cluster: Cluster;
  /** The cluster as its driver sees it. */
  target: DriverCluster;
  /** Records each step on the operation; `signal` aborts when the run must stop (shutdown, lost lease). */
  context: DriverOperationContext;
}

/** How a run ended successfully: the status the cluster settles in, or that the cluster is gone. */
export type OperationResult = { clusterStatus: ClusterStatus } | { deleteCluster: true };

/**
 * Carries out operations of one type. A run may be repeated from the start (after a crash, a lost lease or a
 * failed attempt), so a handler converges rather than repeats.
 */
export interface OperationHandler<T extends OperationType = OperationType> {
  type: T;
  run(run: OperationRun<T>): Promise<OperationResult>;
  /** What an operation of this type means when its cluster no longer exists: done, or failed (the default). */
  whenClusterGone?: 'succeeded';
  /** The status a cluster is left in when an operation of this type fails for good; default `failed`. */
  clusterStatusWhenFailed?: ClusterStatus;
}
