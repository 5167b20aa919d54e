/**
 * Orochi's scaffolder actions: orochi:cluster:create, orochi:cluster:wait, orochi:cluster:delete,
 * orochi:branch:create and orochi:branch:delete.
 *
 * @packageDocumentation
 */
export { scaffolderModuleOrochi as default } from './module';
export { createOrochiClusterCreateAction } from './actions/createCluster';
export { createOrochiClusterDeleteAction } from './actions/deleteCluster';
export { createOrochiClusterWaitAction } from './actions/waitForCluster';
export { createOrochiBranchCreateAction } from './actions/createBranch';
export { createOrochiBranchDeleteAction } from './actions/deleteBranch';
