/**
 * What Orochi's Kubernetes objects carry: written by the kubernetes driver, read by the standalone connection
 * proxy, which finds a cluster's CloudNativePG Cluster by them.
 */

/** Which Orochi installation (`orochi.installationId`) an object belongs to. */
export const INSTALLATION_LABEL = 'orochi.io/installation';
/** CloudNativePG's declarative hibernation: `on` stops the instances and keeps their volumes. */
export const HIBERNATION_ANNOTATION = 'cnpg.io/hibernation';
export const CNPG_CLUSTER = { group: 'postgresql.cnpg.io', version: 'v1', plural: 'clusters', kind: 'Cluster' } as const;
