export { EntityClusterContent } from './EntityClusterContent';
export { EntityClustersCard, isOrochiCluster, showsClustersCard } from './EntityClustersCard';
