/**
 * What backend packages use to extend Orochi: the cluster driver and billing provider interfaces and their
 * extension points, and the permission resource, rules and conditions for policies.
 *
 * @packageDocumentation
 */
export * from './ClusterDriver';
export * from './extensions';
export * from './billing';
export * from './permissions';
export * from './events';
export { needsRestart, settingsForCluster, settingsForSize } from './postgresSettings';
export { generatePassword } from './credentials';
export { INSTALLATION_ID_PATTERN, readInstallationId } from './installation';
export { CNPG_CLUSTER, HIBERNATION_ANNOTATION, INSTALLATION_LABEL } from './kubernetesObjects';
