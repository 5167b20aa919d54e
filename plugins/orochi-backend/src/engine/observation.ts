import { ClusterSpec, ClusterStatus } from '@orochi/backstage-plugin-orochi-common';
import { ClusterObservation } from '@orochi/backstage-plugin-orochi-node';
import { ClusterObserved } from '../database/OrochiStore';

export function toObserved(observation: ClusterObservation): ClusterObserved {
  return {
    conditions: observation.conditions,
    endpoints: observation.endpoints,
    readyInstances: observation.readyInstances,
    ...(observation.kubernetes ? { kubernetes: observation.kubernetes } : {}),
  };
}

/** The status of a cluster whose servers are stopped as its spec says: suspended when idle, or hibernated. */
export function stoppedStatus(spec: Pick<ClusterSpec, 'idleSuspended'>): ClusterStatus {
  return spec.idleSuspended ? 'suspended' : 'hibernated';
}

/**
 * The status a cluster with no operation in progress has, given what its driver sees. `repair` means the
 * servers run when they should not or the other way round, which the reconciler answers with an operation.
 */
export function statusFromObservation(
  spec: Pick<ClusterSpec, 'hibernated' | 'idleSuspended'>,
  observation: ClusterObservation,
): { status: ClusterStatus; message?: string; repair?: boolean } {
  const { hibernated } = spec;
  switch (observation.phase) {
    case 'missing':
    case 'failed':
      return { status: 'failed', message: observation.message ?? `The driver reports ${observation.phase}` };
    case 'running':
      return hibernated
        ? { status: 'hibernating', message: 'Servers still run although the cluster is hibernated', repair: true }
        : { status: 'ready' };
    case 'starting':
      return { status: hibernated ? 'hibernating' : 'waking' };
    case 'stopping':
      return { status: hibernated ? 'hibernating' : 'updating' };
    case 'stopped':
      return hibernated
        ? { status: stoppedStatus(spec) }
        : { status: 'failed', message: 'The servers are not running', repair: true };
    default:
      return { status: 'failed', message: `Unknown phase ${observation.phase}` };
  }
}
