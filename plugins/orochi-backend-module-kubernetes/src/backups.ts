import { KubernetesObject } from '@kubernetes/client-node';
import { RecoveryWindow } from '@orochi/backstage-plugin-orochi-common';
import { DriverBackup } from '@orochi/backstage-plugin-orochi-node';
import { BACKUP_ID_LABEL } from './names';

/** A CloudNativePG Backup as far as Orochi reads it. */
export type CnpgBackup = KubernetesObject & {
  spec?: { cluster?: { name?: string } };
  status?: {
    phase?: string;
    startedAt?: string;
    stoppedAt?: string;
    beginWal?: string;
    endWal?: string;
    backupId?: string;
    error?: string;
  };
};

export type BarmanObjectStore = KubernetesObject & {
  status?: { serverRecoveryWindow?: Record<string, { firstRecoverabilityPoint?: string; lastSuccessfulBackupTime?: string }> };
};

/** CloudNativePG's phases, as an Orochi backup's states. */
function stateOf(phase: string | undefined): DriverBackup['state'] {
  if (phase === 'completed') return 'completed';
  if (phase === 'failed' || phase === 'walArchivingFailing') return 'failed';
  return 'running';
}

export function toDriverBackup(object: CnpgBackup): DriverBackup {
  const { status = {} } = object;
  const ownId = object.metadata?.labels?.[BACKUP_ID_LABEL];
  const state = stateOf(status.phase);
  return {
    id: ownId ?? object.metadata!.name!,
    kind: ownId ? 'manual' : 'scheduled',
    state,
    startedAt: status.startedAt ?? object.metadata?.creationTimestamp?.toString() ?? new Date(0).toISOString(),
    ...(status.stoppedAt ? { finishedAt: status.stoppedAt } : {}),
    ...(status.beginWal ? { wal: { start: status.beginWal, ...(status.endWal ? { end: status.endWal } : {}) } } : {}),
    ...(state === 'completed' && status.stoppedAt ? { recoverableFrom: status.stoppedAt } : {}),
    ...(status.error ? { error: status.error } : {}),
  };
}

/**
 * From the plugin's first recoverability point of the cluster's folder; to now while the cluster archives WAL
 * continuously (CloudNativePG's ContinuousArchiving condition), else to its last successful backup.
 */
export function recoveryWindowOf(store: BarmanObjectStore | undefined, serverName: string, archiving: boolean): RecoveryWindow {
  const window = store?.status?.serverRecoveryWindow?.[serverName];
  if (!window?.firstRecoverabilityPoint) return {};
  const latest = archiving ? new Date().toISOString() : (window.lastSuccessfulBackupTime ?? window.firstRecoverabilityPoint);
  return { earliest: window.firstRecoverabilityPoint, latest };
}
