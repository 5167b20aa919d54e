import { UsageMeter } from '@orochi/backstage-plugin-orochi-common';

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
