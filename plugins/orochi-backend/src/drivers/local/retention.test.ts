import { DriverBackup } from '@orochi/backstage-plugin-orochi-node';
import { retentionPlan } from './retention';

const DAY = 86_400_000;
const now = Date.parse('2026-12-10T00:00:00Z');

function backup(id: string, daysAgo: number, state: DriverBackup['state'] = 'completed', walStart = `0000000100000000000000${id.padStart(2, '0')}`): DriverBackup {
  const at = new Date(now - daysAgo * DAY).toISOString();
  return {
    id,
    kind: 'scheduled',
    state,
    startedAt: at,
    ...(state === 'completed' ? { finishedAt: at, recoverableFrom: at, wal: { start: walStart } } : {}),
  };
}

describe('retentionPlan', () => {
  it('keeps every backup inside the window and the newest before it, and cuts the WAL at the oldest kept', () => {
    const backups = [backup('10', 1), backup('09', 5), backup('08', 8), backup('07', 9), backup('06', 12)];
    const plan = retentionPlan(backups, now, 7);
    expect(plan.remove.map(b => b.id)).toEqual(['07', '06']);
    expect(plan.keepWalFrom).toBe('000000010000000000000008');
  });

  it('never removes the only backup, however old, nor its WAL', () => {
    const plan = retentionPlan([backup('01', 40)], now, 7);
    expect(plan.remove).toEqual([]);
    expect(plan.keepWalFrom).toBe('000000010000000000000001');
  });

  it('removes failed backups older than the window, keeps running ones, and keeps all when all are recent', () => {
    const backups = [backup('05', 1), backup('04', 2, 'failed'), backup('03', 9, 'failed'), backup('02', 10, 'running')];
    expect(retentionPlan(backups, now, 7).remove.map(b => b.id)).toEqual(['03']);
    expect(retentionPlan([backup('02', 1), backup('01', 2)], now, 7)).toEqual({
      remove: [],
      keepWalFrom: '000000010000000000000001',
    });
  });

  it('cuts nothing without a completed backup', () => {
    expect(retentionPlan([backup('01', 30, 'failed')], now, 7)).toEqual({ remove: [backup('01', 30, 'failed')] });
  });
});
