import { Cluster, clusterSpecOf, computeUnitsOf, Offering } from '@orochi/backstage-plugin-orochi-common';
import { DriverCluster } from '@orochi/backstage-plugin-orochi-node';

/** What a driver is given for a cluster: its id, its spec, and the compute units of its size. */
export function toDriverCluster(cluster: Cluster, offering: Offering): DriverCluster {
  return { id: cluster.id, spec: clusterSpecOf(cluster), cu: computeUnitsOf(offering, cluster.size) };
}
