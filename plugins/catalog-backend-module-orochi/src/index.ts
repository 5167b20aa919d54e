/**
 * Orochi clusters in the software catalog, as `Resource` entities of type `orochi-cluster`.
 *
 * @packageDocumentation
 */
export { catalogModuleOrochi as default } from './module';
export { OrochiEntityProvider } from './provider/OrochiEntityProvider';
export { clusterEntity } from './provider/clusterEntity';
