import { Cluster, clusterSpecOf } from '@orochi/backstage-plugin-orochi-common';
import { DriverCluster } from '@orochi/backstage-plugin-orochi-node';

/** What a driver is given for a cluster: its id, its spec, and the compute units recorded for its size. */
export function toDriverCluster(cluster: Cluster): DriverCluster {
  return { id: cluster.id, spec: clusterSpecOf(cluster), cu: cluster.cu };
}
