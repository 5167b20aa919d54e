import { RestoreTarget } from '@orochi/backstage-plugin-orochi-common';
import { BARMAN_PLUGIN } from './names';

/** The external cluster a restored Cluster recovers from. */
export const RECOVERY_SOURCE = 'origin';

/** Where a restore reads: the ObjectStore (in the new cluster's namespace) and the source's folder in it. */
export interface RecoverySource {
  objectStore: string;
  serverName: string;
  /** The Barman backup id (Backup status.backupId) for a restore of one backup. */
  barmanBackupId?: string;
}

/**
 * `bootstrap.recovery` from the source's archive through the Barman Cloud plugin, and the external cluster it
 * names. CloudNativePG has no copy of a running cluster without backups other than `pg_basebackup` over a
 * replication connection (whose certificates live in the source's namespace), so a branch `now` recovers the
 * latest archived state: now, up to the archive timeout (five minutes by default).
 */
export function recoveryBootstrap(source: RecoverySource, target: RestoreTarget) {
  let recoveryTarget: object | undefined;
  if (target.type === 'time') recoveryTarget = { targetTime: target.time };
  if (target.type === 'backup') recoveryTarget = { backupID: source.barmanBackupId, targetImmediate: true };
  return {
    bootstrap: { recovery: { source: RECOVERY_SOURCE, ...(recoveryTarget ? { recoveryTarget } : {}) } },
    externalClusters: [
      {
        name: RECOVERY_SOURCE,
        plugin: { name: BARMAN_PLUGIN, parameters: { barmanObjectName: source.objectStore, serverName: source.serverName } },
      },
    ],
  };
}

export type RecoveryBootstrap = ReturnType<typeof recoveryBootstrap>;
