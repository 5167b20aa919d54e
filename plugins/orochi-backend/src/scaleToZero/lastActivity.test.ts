import { StoredSample } from '../database/MetricsStore';
import { lastActivity } from './lastActivity';

const sample = (seconds: number, overrides: Partial<StoredSample> = {}): StoredSample => ({
  sampledAt: seconds * 1000,
  connections: 0,
  activeSessions: 0,
  transactionsTotal: 10,
  cpuSecondsTotal: 0,
  memoryBytes: 0,
  storageBytes: 0,
  ...overrides,
});

const options = { since: 0, idleSessionsKeepAwake: false };

describe('a cluster’s last activity', () => {
  it('is the last sample with a session at work, or with transactions since the one before', () => {
    expect(lastActivity([sample(100), sample(115, { activeSessions: 1 }), sample(130), sample(145)], options)).toEqual({
      activeNow: false,
      lastActiveAt: 115_000,
    });
    // A session that came, committed and went between two samples.
    expect(lastActivity([sample(100), sample(115, { transactionsTotal: 12 }), sample(130, { transactionsTotal: 12 })], options)).toEqual({
      activeNow: false,
      lastActiveAt: 115_000,
    });
  });

  it('takes when an open session last went idle, and counts open idle sessions only when they keep it awake', () => {
    const idleSession = sample(130, { connections: 2, lastActivityAt: new Date(122_000).toISOString() });
    expect(lastActivity([sample(100), idleSession], options)).toEqual({ activeNow: false, lastActiveAt: 122_000 });
    expect(lastActivity([sample(100), idleSession], { ...options, idleSessionsKeepAwake: true })).toEqual({
      activeNow: true,
      lastActiveAt: 130_000,
    });
  });

  it('is busy now when the latest sample has a session at work, and never idle from before the cluster started', () => {
    expect(lastActivity([sample(100), sample(115, { activeSessions: 1 })], options).activeNow).toBe(true);
    expect(lastActivity([sample(100), sample(115)], { ...options, since: 200_000 })).toEqual({ activeNow: false, lastActiveAt: 200_000 });
    expect(lastActivity([], { ...options, since: 5 })).toEqual({ activeNow: false, lastActiveAt: 5 });
  });
});
