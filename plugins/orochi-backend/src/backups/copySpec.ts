import { InputError } from '@backstage/errors';
import { Cluster, ClusterParent, ClusterSpec, clusterSpecOf, Offering } from '@orochi/backstage-plugin-orochi-common';

/**
 * The spec of a restored or branched cluster: the source's, under a new name, with the owner and size the
 * request chose, not hibernated, and naming where it came from.
 */
export function copySpec(
  source: Cluster,
  request: { name: string; owner: string; size?: string },
  parent: Omit<ClusterParent, 'clusterId' | 'clusterName'>,
  offering: Offering,
  expiresAt?: string,
): ClusterSpec {
  const { parent: _sourceParent, expiresAt: _sourceExpiry, ...inherited } = clusterSpecOf(source);
  const size = request.size ?? source.size;
  const cu = request.size ? offering.sizes.find(s => s.name === request.size)?.cu : source.cu;
  if (cu === undefined) {
    throw new InputError(`size: unknown size "${request.size}"; one of ${offering.sizes.map(s => s.name).join(', ')}`);
  }
  return {
    ...inherited,
    name: request.name,
    owner: request.owner,
    size,
    cu,
    autoscaling: inherited.autoscaling.enabled ? inherited.autoscaling : { enabled: false, minCu: cu, maxCu: cu },
    hibernated: false,
    parent: { ...parent, clusterId: source.id, clusterName: source.name },
    ...(expiresAt ? { expiresAt } : {}),
  };
}
