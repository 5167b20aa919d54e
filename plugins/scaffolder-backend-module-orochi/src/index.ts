/**
 * Orochi's scaffolder actions: orochi:cluster:create, orochi:cluster:wait and orochi:cluster:delete.
 *
 * @packageDocumentation
 */
export { scaffolderModuleOrochi as default } from './module';
export { createOrochiClusterCreateAction } from './actions/createCluster';
export { createOrochiClusterDeleteAction } from './actions/deleteCluster';
export { createOrochiClusterWaitAction } from './actions/waitForCluster';
