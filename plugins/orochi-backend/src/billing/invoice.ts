import { Invoice, Plan, UsageMeter } from '@orochi/backstage-plugin-orochi-common';
import { HOUR_MS } from './usageIntervals';

const GB = 1e9;

/** The calendar month (UTC) that contains `now`: Orochi's billing period. */
export function billingPeriod(now: number): { start: number; end: number } {
  const date = new Date(now);
  return {
    start: Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1),
    end: Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1),
  };
}

const round2 = (usd: number) => Math.round(usd * 100) / 100;

/**
 * The invoice so far and as projected to the end of the period. Compute is billed in CU-hours beyond the plan's
 * included hours and projected at the current rate (the CU the team runs now); storage (data and backups) in
 * GB-months beyond the plan's storage, projected from its average so far.
 */
export function projectInvoice(options: {
  plan: Plan;
  usage: Partial<Record<UsageMeter, number>>;
  /** Compute units the team's clusters run now. */
  runningCu: number;
  now: number;
}): Invoice {
  const { plan, usage, runningCu, now } = options;
  const period = billingPeriod(now);
  const periodHours = (period.end - period.start) / HOUR_MS;
  const elapsedHours = Math.max((now - period.start) / HOUR_MS, 1 / 60);
  const remainingHours = Math.max(periodHours - elapsedHours, 0);

  const cuHours = (usage.compute_unit_seconds ?? 0) / 3600;
  const projectedCuHours = cuHours + runningCu * remainingHours;
  const gbMonths = ((usage.storage_bytes_hour ?? 0) + (usage.backup_bytes_hour ?? 0)) / GB / periodHours;
  const projectedGbMonths = (gbMonths * periodHours) / elapsedHours;

  const includedCuHours = plan.limits.computeHours;
  const includedGbMonths = plan.limits.maxStorageGb;
  const base = plan.monthlyPriceUsd ?? 0;
  const overage = (used: number, included: number | undefined, price: number | undefined) =>
    price === undefined || included === undefined ? 0 : Math.max(0, used - included) * price;
  const computeUsd = (hours: number) => overage(hours, includedCuHours, plan.overage?.computeHourUsd);
  const storageUsd = (gb: number) => overage(gb, includedGbMonths, plan.overage?.storageGbUsd);

  return {
    periodStart: new Date(period.start).toISOString(),
    periodEnd: new Date(period.end).toISOString(),
    baseUsd: base,
    compute: {
      cuHours,
      projectedCuHours,
      ...(includedCuHours !== undefined ? { includedCuHours } : {}),
      overageUsd: round2(computeUsd(cuHours)),
      projectedOverageUsd: round2(computeUsd(projectedCuHours)),
    },
    storage: {
      gbMonths,
      projectedGbMonths,
      ...(includedGbMonths !== undefined ? { includedGbMonths } : {}),
      overageUsd: round2(storageUsd(gbMonths)),
      projectedOverageUsd: round2(storageUsd(projectedGbMonths)),
    },
    totalUsd: round2(base + computeUsd(cuHours) + storageUsd(gbMonths)),
    projectedTotalUsd: round2(base + computeUsd(projectedCuHours) + storageUsd(projectedGbMonths)),
  };
}
