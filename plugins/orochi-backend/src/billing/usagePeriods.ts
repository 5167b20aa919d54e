import { UsageGranularity, UsagePeriod, UsageReport } from '@orochi/backstage-plugin-orochi-common';
import { HourlyUsage } from '../database/UsageStore';
import { HOUR_MS } from './usageIntervals';

/** The start of the period (UTC hour, day or month) that contains `ms`, and the start of the next one. */
export function periodAround(ms: number, granularity: UsageGranularity): { start: number; end: number } {
  if (granularity === 'hour') {
    const start = Math.floor(ms / HOUR_MS) * HOUR_MS;
    return { start, end: start + HOUR_MS };
  }
  const d = new Date(ms);
  if (granularity === 'day') {
    const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    return { start, end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1) };
  }
  return { start: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) };
}

/**
 * Hourly usage summed into periods of the granularity over [fromMs, toMs), every period listed (an empty one
 * with no meters), at most `limit` per page; `nextCursor` starts the next page.
 */
export function usagePeriods(
  hourly: HourlyUsage[],
  options: { fromMs: number; toMs: number; granularity: UsageGranularity; limit: number },
): UsageReport {
  const { fromMs, toMs, granularity, limit } = options;
  const periods: UsagePeriod[] = [];
  let start = periodAround(fromMs, granularity).start;
  while (start < toMs && periods.length < limit) {
    const { end } = periodAround(start, granularity);
    periods.push({ start: new Date(start).toISOString(), end: new Date(end).toISOString(), usage: {} });
    start = end;
  }
  const byStart = new Map(periods.map(p => [Date.parse(p.start), p]));
  for (const row of hourly) {
    const period = byStart.get(periodAround(row.hour, granularity).start);
    if (period) period.usage[row.meter] = (period.usage[row.meter] ?? 0) + row.value;
  }
  return {
    granularity,
    periods,
    ...(start < toMs ? { nextCursor: new Date(start).toISOString() } : {}),
  };
}
