/** `spec.type` of the `Resource` entity each Orochi cluster is in the catalog. */
export const OROCHI_CLUSTER_ENTITY_TYPE = 'orochi-cluster';

/** The annotation (and, on Kubernetes, label) that ties an entity or object to its Orochi cluster. */
export const CLUSTER_ID_ANNOTATION = 'orochi.io/cluster-id';

/** Catalog entities of clusters live in the default namespace, named as the cluster. */
const CLUSTER_ENTITY_NAMESPACE = 'default';

/** The entity ref of a cluster's `Resource` entity. */
export function clusterEntityRef(clusterName: string): string {
  return `resource:${CLUSTER_ENTITY_NAMESPACE}/${clusterName}`;
}

/** Where a cluster's page is in the portal, relative to the app's base URL (the Databases page's route). */
export function clusterPagePath(clusterId: string): string {
  return `/orochi/clusters/${encodeURIComponent(clusterId)}`;
}
