export { EntityClusterContent, CLUSTER_ID_ANNOTATION } from './EntityClusterContent';
export { EntityClustersCard, isOrochiCluster, showsClustersCard } from './EntityClustersCard';
