/** `spec.type` of the `Resource` entity each Orochi cluster is in the catalog. */
export const OROCHI_CLUSTER_ENTITY_TYPE = 'orochi-cluster';

/** The annotation (and, on Kubernetes, label) that ties an entity or object to its Orochi cluster. */
export const CLUSTER_ID_ANNOTATION = 'orochi.io/cluster-id';
