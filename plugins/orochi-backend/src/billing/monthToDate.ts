import { Cluster, Invoice, isComputeMetered, Plan, UsageMeter } from '@orochi/backstage-plugin-orochi-common';
import { OrochiStore } from '../database/OrochiStore';
import { UsageStore } from '../database/UsageStore';
import { billingPeriod, projectInvoice } from './invoice';

/** A team this period: its usage per meter so far, its clusters, and the invoice projected at the rate they run now. */
export interface MonthToDate {
  usage: Partial<Record<UsageMeter, number>>;
  clusters: Cluster[];
  invoice: Invoice;
}

/** What the Billing page shows and the limits job decides on, read the same way for both. */
export async function monthToDate(deps: { usage: UsageStore; store: OrochiStore }, team: string, plan: Plan, now: number): Promise<MonthToDate> {
  const usage: Partial<Record<UsageMeter, number>> = {};
  for (const row of await deps.usage.hourly({ owner: team }, billingPeriod(now).start, now + 1)) {
    usage[row.meter] = (usage[row.meter] ?? 0) + row.value;
  }
  const clusters = await deps.store.listAllClusters(team);
  const runningCu = clusters.filter(c => isComputeMetered(c.status) && !c.hibernated).reduce((sum, c) => sum + c.cu, 0);
  return { usage, clusters, invoice: projectInvoice({ plan, usage, runningCu, now }) };
}
