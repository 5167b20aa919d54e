import { clusterRecord } from '@orochi/test-utils';
import { hourPieces, HOUR_MS, meterInterval, UsageWatermark } from './usageIntervals';

const T0 = Date.UTC(2026, 11, 4, 10, 0, 0);
const stored = { data: 2e9, backups: 0 };
const sum = (samples: Array<{ meter: string; value: number }>, meter: string) =>
  samples.filter(s => s.meter === meter).reduce((total, s) => total + s.value, 0);

describe('meterInterval', () => {
  const running = clusterRecord('orders-db', { cu: 2, status: 'ready', updatedAt: new Date(T0 - 60_000).toISOString() });

  it('starts metering a cluster the first time it sees it, and accrues nothing for the time before', () => {
    const first = meterInterval(running, undefined, T0, stored);
    expect(first).toEqual({ samples: [], watermark: { clusterId: running.id, owner: running.owner, meteredUntil: T0, running: true, cu: 2 } });
  });

  it('accrues CU × seconds while running, to the millisecond, and storage whatever the compute does', () => {
    const watermark: UsageWatermark = { clusterId: running.id, owner: running.owner, meteredUntil: T0, running: true, cu: 2 };
    const { samples } = meterInterval(running, watermark, T0 + 90_500, stored);
    expect(sum(samples, 'compute_unit_seconds')).toBe(181);
    expect(sum(samples, 'storage_bytes_hour')).toBeCloseTo((2e9 * 90.5) / 3600, 3);
    expect(sum(samples, 'branch_seconds')).toBe(0);
  });

  it('bills a hibernation between rounds up to the moment it happened, and nothing after', () => {
    const watermark: UsageWatermark = { clusterId: running.id, owner: running.owner, meteredUntil: T0, running: true, cu: 2 };
    // Hibernated 150 s after the last round, seen by the next round at 200 s.
    const hibernated = { ...running, status: 'hibernated' as const, hibernated: true, updatedAt: new Date(T0 + 150_000).toISOString() };
    const { samples, watermark: next } = meterInterval(hibernated, watermark, T0 + 200_000, stored);
    expect(sum(samples, 'compute_unit_seconds')).toBe(300);
    expect(next).toMatchObject({ running: false, meteredUntil: T0 + 200_000 });

    const later = meterInterval(hibernated, next, T0 + 3_600_000, stored);
    expect(sum(later.samples, 'compute_unit_seconds')).toBe(0);
    expect(sum(later.samples, 'storage_bytes_hour')).toBeGreaterThan(0);
  });

  it('bills a wake from the moment it happened, at the size the cluster has then', () => {
    const asleep: UsageWatermark = { clusterId: running.id, owner: running.owner, meteredUntil: T0, running: false, cu: 1 };
    const woken = { ...running, cu: 4, updatedAt: new Date(T0 + 40_000).toISOString() };
    expect(sum(meterInterval(woken, asleep, T0 + 60_000, stored).samples, 'compute_unit_seconds')).toBe(80);
  });

  it('splits samples at hour boundaries, so each belongs to one hour', () => {
    const watermark: UsageWatermark = { clusterId: running.id, owner: running.owner, meteredUntil: T0 + HOUR_MS - 30_000, running: true, cu: 2 };
    const { samples } = meterInterval(running, watermark, T0 + HOUR_MS + 30_000, stored);
    const compute = samples.filter(s => s.meter === 'compute_unit_seconds');
    expect(compute.map(s => [s.startMs - T0, s.endMs - T0, s.value])).toEqual([
      [HOUR_MS - 30_000, HOUR_MS, 60],
      [HOUR_MS, HOUR_MS + 30_000, 60],
    ]);
    expect(hourPieces(T0, T0 + 2 * HOUR_MS)).toEqual([
      [T0, T0 + HOUR_MS],
      [T0 + HOUR_MS, T0 + 2 * HOUR_MS],
    ]);
  });

  it('meters branch seconds for clusters that expire, and nothing twice when the clock goes back', () => {
    const branch = { ...running, expiresAt: new Date(T0 + 86_400_000).toISOString() };
    const watermark: UsageWatermark = { clusterId: running.id, owner: running.owner, meteredUntil: T0, running: true, cu: 2 };
    expect(sum(meterInterval(branch, watermark, T0 + 10_000, stored).samples, 'branch_seconds')).toBe(10);
    expect(meterInterval(branch, watermark, T0 - 5_000, stored)).toEqual({ samples: [], watermark });
  });
});
