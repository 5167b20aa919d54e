import { DriverBackup } from '@orochi/backstage-plugin-orochi-node';

/**
 * Which backups a retention of `retentionDays` removes. A restore to any moment of the window (now − days to now)
 * needs a backup from before that moment: so every backup recoverable from inside the window is kept, and so is
 * the newest one from before the window's start, which reaches the start. Older completed and failed ones go;
 * running ones stay. The oldest kept backup's start segment is where the WAL archive may be cut.
 */
export function retentionPlan(
  backups: DriverBackup[],
  now: number,
  retentionDays: number,
): { remove: DriverBackup[]; keepWalFrom?: string } {
  const windowStart = now - retentionDays * 86_400_000;
  const completed = backups
    .filter(b => b.state === 'completed' && b.recoverableFrom)
    .sort((a, b) => Date.parse(b.recoverableFrom!) - Date.parse(a.recoverableFrom!));
  const inWindow = completed.filter(b => Date.parse(b.recoverableFrom!) >= windowStart);
  const reachesStart = completed.find(b => Date.parse(b.recoverableFrom!) < windowStart);
  const kept = new Set([...inWindow, ...(reachesStart ? [reachesStart] : [])].map(b => b.id));
  const oldestKept = [...inWindow, ...(reachesStart ? [reachesStart] : [])].at(-1);
  const remove = backups.filter(
    b => !kept.has(b.id) && b.state !== 'running' && Date.parse(b.finishedAt ?? b.startedAt) < windowStart,
  );
  return { remove, ...(oldestKept?.wal ? { keepWalFrom: oldestKept.wal.start } : {}) };
}
