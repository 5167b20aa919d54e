import { parseEntityRef } from '@backstage/catalog-model';
import { CNPG_CLUSTER } from '@orochi/backstage-plugin-orochi-node';
import { createHash } from 'node:crypto';

/** The plugin of CloudNativePG that archives WAL and takes backups to object stores. */
export const BARMAN_PLUGIN = 'barman-cloud.cloudnative-pg.io';
export const FIELD_MANAGER = 'orochi';
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'orochi' };
export { CLUSTER_ID_ANNOTATION as CLUSTER_ID_LABEL } from '@orochi/backstage-plugin-orochi-common';
export { HIBERNATION_ANNOTATION, INSTALLATION_LABEL } from '@orochi/backstage-plugin-orochi-node';
/** The ClusterRole the backend's service account is bound to in each team namespace (deploy/kubernetes). */
export const TENANT_ROLE = 'orochi-tenant';

export const CNPG = {
  cluster: CNPG_CLUSTER,
  pooler: { group: 'postgresql.cnpg.io', version: 'v1', plural: 'poolers', kind: 'Pooler' },
  scheduledBackup: { group: 'postgresql.cnpg.io', version: 'v1', plural: 'scheduledbackups', kind: 'ScheduledBackup' },
  objectStore: { group: 'barmancloud.cnpg.io', version: 'v1', plural: 'objectstores', kind: 'ObjectStore' },
  backup: { group: 'postgresql.cnpg.io', version: 'v1', plural: 'backups', kind: 'Backup' },
} as const;

/** The Orochi backup id of a Backup object Orochi created (scheduled ones carry none). */
export const BACKUP_ID_LABEL = 'orochi.io/backup-id';
/** When the cluster whose backups an ObjectStore keeps was deleted; the purge removes it after the grace period. */
export const DELETED_AT_ANNOTATION = 'orochi.io/deleted-at';

export type CustomKind = (typeof CNPG)[keyof typeof CNPG];

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
const HASH_LENGTH = 8;

export const isDnsLabel = (text: string) => DNS_LABEL.test(text);
/** Whether the text can be a label value (and so be matched exactly by a label selector); empty is not accepted. */
export const isLabelValue = (text: string) => text !== '' && LABEL_VALUE.test(text);

/** A DNS-1123 label from any text: lowercase, letters, digits and '-', at most `max` (63) characters. */
export function dnsLabel(text: string, max = 63): string {
  return text
    .toLocaleLowerCase('en-US')
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/, '');
}

/** The owning group's name, e.g. `team-payments` for `group:default/team-payments`. */
export function ownerName(owner: string): string {
  return parseEntityRef(owner, { defaultKind: 'group', defaultNamespace: 'default' }).name;
}

/**
 * Each owning team's clusters live in their own namespace, one per owner entity (refs compare case-insensitively,
 * as in the catalog). `group:default/<team>` keeps the plain `<prefix><team>` when that is a valid name. Any other
 * owner (another entity namespace or kind, characters to replace, longer than 63) gets a readable name plus 8 hex
 * characters of the SHA-256 of its full ref, so `group:a/payments` and `group:b/payments`, or `team.a` and
 * `team-a`, never share a namespace.
 */
export function namespaceFor(prefix: string, owner: string): string {
  const ref = parseEntityRef(owner.toLocaleLowerCase('en-US'), { defaultKind: 'group', defaultNamespace: 'default' });
  const plain = `${prefix}${ref.name}`;
  if (ref.kind === 'group' && ref.namespace === 'default' && isDnsLabel(plain)) return plain;
  const hash = createHash('sha256').update(`${ref.kind}:${ref.namespace}/${ref.name}`).digest('hex').slice(0, HASH_LENGTH);
  const scope = [ref.kind === 'group' ? '' : ref.kind, ref.namespace === 'default' ? '' : ref.namespace].filter(Boolean);
  const readable = dnsLabel(`${prefix}${[...scope, ref.name].join('-')}`, 63 - HASH_LENGTH - 1);
  return readable ? `${readable}-${hash}` : hash;
}

export const appSecretName = (cluster: string) => `${cluster}-app`;
export const poolerName = (cluster: string) => `${cluster}-pooler`;
/**
 * A cluster's own ObjectStore, named for its incarnation (its serverName) like its folder: a deleted cluster's
 * store is kept, marked, for the grace period, and a new cluster of the same name must not take it over.
 */
export const objectStoreName = (serverName: string) => `${serverName}-backups`;
export const scheduledBackupName = (cluster: string) => `${cluster}-backup`;
/** The ObjectStore in a restored cluster's namespace that reads its source's backups. */
export const sourceObjectStoreName = (cluster: string) => `${cluster}-source`;
/** A Backup object for an Orochi backup id: the cluster's name and the id's first 12 hex digits. */
export const backupName = (cluster: string, backupId: string) => `${cluster}-${backupId.replace(/-/g, '').slice(0, 12)}`;
