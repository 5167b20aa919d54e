import { StoredSample } from '../database/MetricsStore';

/** Whether a cluster is busy now, and when it last was: what scale to zero counts idle time from. */
export interface Activity {
  activeNow: boolean;
  /** Epoch ms. */
  lastActiveAt: number;
}

/**
 * A cluster's activity from its metrics samples (oldest first), counting, as Neon does, a session that runs a
 * query or holds a transaction open, replication and autovacuum, plus transactions committed between two
 * samples (a short session that came and went) and when an open session last went idle. Open sessions that run
 * nothing count only with `idleSessionsKeepAwake` (as Xata counts them). `since` is when the cluster was last
 * started or changed: it is not idle from before then.
 */
export function lastActivity(samples: StoredSample[], options: { since: number; idleSessionsKeepAwake: boolean }): Activity {
  const busy = (s: StoredSample) => s.activeSessions > 0 || (options.idleSessionsKeepAwake && s.connections > 0);
  let lastActiveAt = options.since;
  samples.forEach((sample, index) => {
    const previous = samples[index - 1];
    const transacted = previous !== undefined && sample.transactionsTotal > previous.transactionsTotal;
    if (busy(sample) || transacted) lastActiveAt = Math.max(lastActiveAt, sample.sampledAt);
    if (sample.lastActivityAt) lastActiveAt = Math.max(lastActiveAt, Date.parse(sample.lastActivityAt));
  });
  const latest = samples[samples.length - 1];
  return { activeNow: latest !== undefined && busy(latest), lastActiveAt };
}
