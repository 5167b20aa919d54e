/***/
/**
 * The orochi-provider module for @backstage/plugin-catalog-backend
 *
 * @packageDocumentation
 */

export { catalogModuleOrochi as default } from './module';
