import { Cluster, isComputeMetered, UsageMeter } from '@orochi/backstage-plugin-orochi-common';
import { StoredBytes } from '@orochi/backstage-plugin-orochi-node';

export const HOUR_MS = 3_600_000;

/** How far a cluster has been metered, and what it ran at that moment. */
export interface UsageWatermark {
  clusterId: string;
  owner: string;
  meteredUntil: number;
  running: boolean;
  cu: number;
}

/** Usage of one cluster and meter over [startMs, endMs), always inside one hour. */
export interface UsageSample {
  clusterId: string;
  owner: string;
  meter: UsageMeter;
  startMs: number;
  endMs: number;
  value: number;
}

/** The usage a cluster accrued since its watermark, and the watermark to record with it. */
export interface MeteredInterval {
  samples: UsageSample[];
  watermark: UsageWatermark;
}

/** Splits [start, end) at hour boundaries. */
export function hourPieces(start: number, end: number): Array<[number, number]> {
  const pieces: Array<[number, number]> = [];
  for (let from = start; from < end; ) {
    const to = Math.min(end, Math.floor(from / HOUR_MS) * HOUR_MS + HOUR_MS);
    pieces.push([from, to]);
    from = to;
  }
  return pieces;
}

/**
 * Meters one cluster from its watermark until `now`. Compute accrues at the state recorded with the watermark
 * until the cluster last changed (its `updatedAt`: an operation finishing, an observed status) and at its state
 * now from then on, so one change between rounds is billed to the millisecond. Storage and branches accrue
 * whatever the compute does. A cluster seen for the first time starts being metered now.
 */
export function meterInterval(
  cluster: Cluster,
  previous: UsageWatermark | undefined,
  now: number,
  stored: StoredBytes,
): MeteredInterval {
  const watermark: UsageWatermark = {
    clusterId: cluster.id,
    owner: cluster.owner,
    meteredUntil: now,
    running: isComputeMetered(cluster.status) && !cluster.hibernated,
    cu: cluster.cu,
  };
  if (!previous) return { samples: [], watermark };
  // A clock that went back (another replica's, say) meters nothing twice.
  if (now <= previous.meteredUntil) return { samples: [], watermark: previous };

  const from = previous.meteredUntil;
  const changedAt = Date.parse(cluster.updatedAt);
  const changed = previous.running !== watermark.running || previous.cu !== watermark.cu;
  // Unchanged: one segment to now. Changed at a known moment: split there. Changed at an unknown one: the new state throughout.
  let splitAt = now;
  if (changed) splitAt = changedAt > from && changedAt < now ? changedAt : from;
  const computeSegments: Array<{ start: number; end: number; cu: number }> = [];
  if (previous.running && splitAt > from) computeSegments.push({ start: from, end: splitAt, cu: previous.cu });
  if (watermark.running && now > splitAt) computeSegments.push({ start: splitAt, end: now, cu: watermark.cu });

  const samples: UsageSample[] = [];
  const add = (meter: UsageMeter, start: number, end: number, value: number) => {
    if (value > 0) samples.push({ clusterId: cluster.id, owner: cluster.owner, meter, startMs: start, endMs: end, value });
  };
  for (const segment of computeSegments) {
    for (const [start, end] of hourPieces(segment.start, segment.end)) {
      add('compute_unit_seconds', start, end, (segment.cu * (end - start)) / 1000);
    }
  }
  for (const [start, end] of hourPieces(from, now)) {
    const hours = (end - start) / HOUR_MS;
    add('storage_bytes_hour', start, end, stored.data * hours);
    add('backup_bytes_hour', start, end, stored.backups * hours);
    if (cluster.expiresAt) add('branch_seconds', start, end, (end - start) / 1000);
  }
  return { samples, watermark };
}
