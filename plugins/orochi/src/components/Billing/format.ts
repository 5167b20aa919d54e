import { Plan, UsageMeter } from '@orochi/backstage-plugin-orochi-common';

const GB = 1e9;

/** Each meter in the units people read it in, from the units Orochi meters it in. */
export const METER_DISPLAY: Record<UsageMeter, { title: string; unit: string; scale: (value: number) => number }> = {
  compute_unit_seconds: { title: 'Compute', unit: 'CU-hours', scale: v => v / 3600 },
  storage_bytes_hour: { title: 'Storage', unit: 'GB-hours', scale: v => v / GB },
  backup_bytes_hour: { title: 'Backups', unit: 'GB-hours', scale: v => v / GB },
  branch_seconds: { title: 'Branches', unit: 'branch-hours', scale: v => v / 3600 },
};

/** A meter's value as text: `12.5 CU-hours`. */
export function meterText(meter: UsageMeter, value: number | undefined): string {
  const display = METER_DISPLAY[meter];
  const scaled = display.scale(value ?? 0);
  return `${scaled < 10 ? scaled.toFixed(2) : scaled.toFixed(1)} ${display.unit}`;
}

export const usd = (amount: number) => `$${amount.toFixed(2)}`;

/**
 * What a cluster's usage this month costs at its plan's overage prices (compute per CU-hour, storage and backups
 * per GB-month), before the team's included allowance, which comes off the team's invoice as a whole. Undefined
 * for plans without overage prices.
 */
export function usageCostUsd(plan: Plan | undefined, usage: Partial<Record<UsageMeter, number>>, now = new Date()): number | undefined {
  if (!plan?.overage) return undefined;
  const hoursInMonth = (Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1) - Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)) / 3_600_000;
  const cuHours = (usage.compute_unit_seconds ?? 0) / 3600;
  const gbMonths = ((usage.storage_bytes_hour ?? 0) + (usage.backup_bytes_hour ?? 0)) / GB / hoursInMonth;
  return cuHours * plan.overage.computeHourUsd + gbMonths * plan.overage.storageGbUsd;
}
