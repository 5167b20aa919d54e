import { parseEntityRef } from '@backstage/catalog-model';

/** The plugin of CloudNativePG that archives WAL and takes backups to object stores. */
export const BARMAN_PLUGIN = 'barman-cloud.cloudnative-pg.io';
export const FIELD_MANAGER = 'orochi';
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'orochi' };
export { CLUSTER_ID_ANNOTATION as CLUSTER_ID_LABEL } from '@orochi/backstage-plugin-orochi-common';
export const HIBERNATION_ANNOTATION = 'cnpg.io/hibernation';

export const CNPG = {
  cluster: { group: 'postgresql.cnpg.io', version: 'v1', plural: 'clusters', kind: 'Cluster' },
  pooler: { group: 'postgresql.cnpg.io', version: 'v1', plural: 'poolers', kind: 'Pooler' },
  scheduledBackup: { group: 'postgresql.cnpg.io', version: 'v1', plural: 'scheduledbackups', kind: 'ScheduledBackup' },
  objectStore: { group: 'barmancloud.cnpg.io', version: 'v1', plural: 'objectstores', kind: 'ObjectStore' },
} as const;

export type CustomKind = (typeof CNPG)[keyof typeof CNPG];

/** A DNS-1123 label from any text: lowercase, letters, digits and '-', at most 63 characters. */
export function dnsLabel(text: string): string {
  return text
    .toLocaleLowerCase('en-US')
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

/** The owning group's name, e.g. `team-payments` for `group:default/team-payments`. */
export function ownerName(owner: string): string {
  return parseEntityRef(owner).name;
}

/** Each owning team's clusters live in their own namespace. */
export function namespaceFor(prefix: string, owner: string): string {
  return dnsLabel(`${prefix}${ownerName(owner)}`);
}

export const appSecretName = (cluster: string) => `${cluster}-app`;
export const poolerName = (cluster: string) => `${cluster}-pooler`;
export const objectStoreName = (cluster: string) => `${cluster}-backups`;
export const scheduledBackupName = (cluster: string) => `${cluster}-backup`;
