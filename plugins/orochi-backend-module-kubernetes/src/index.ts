/**
 * The `kubernetes` driver of Orochi: clusters as CloudNativePG resources.
 *
 * @packageDocumentation
 */
export { orochiModuleKubernetes as default } from './module';
export { KubernetesDriver } from './KubernetesDriver';
