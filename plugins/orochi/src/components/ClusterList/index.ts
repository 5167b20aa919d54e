export { ClusterList, shortRef } from './ClusterList';
