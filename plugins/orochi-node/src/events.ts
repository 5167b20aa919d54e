/** Topic of the events the Orochi backend publishes when a cluster changes, through Backstage's events service. */
export const OROCHI_CLUSTER_CHANGED_TOPIC = 'orochi.cluster.changed';

/** The payload of an {@link OROCHI_CLUSTER_CHANGED_TOPIC} event. Read the cluster through the API for details. */
export interface ClusterChangedEvent {
  clusterId: string;
  name: string;
  /** True when the cluster is gone. */
  deleted: boolean;
}
