import { LoggerService } from '@backstage/backend-plugin-api';
import { stringifyError } from '@backstage/errors';
import {
  AUTOMATIC_REQUESTERS,
  billingSuspensionMessage,
  BillingSuspensionReason,
  Cluster,
  clusterSpecOf,
  Offering,
  Plan,
} from '@orochi/backstage-plugin-orochi-common';
import { BillingAccountRecord, BillingAccountStore } from '../database/BillingAccountStore';
import { OrochiStore } from '../database/OrochiStore';
import { UsageStore } from '../database/UsageStore';
import { ClusterOperations } from '../operations/ClusterOperations';
import { billingPeriod } from './invoice';
import { monthToDate } from './monthToDate';

export const BILLING_NOTIFICATION_TOPIC = 'orochi-billing';

/** A notification to a team about its billing. */
export interface BillingNotice {
  title: string;
  description: string;
  severity: 'normal' | 'high' | 'critical';
}

/**
 * Keeps every team within its plan and budget, once per schedule across replicas. A plan without overage pricing
 * (Free) suspends the team's clusters once its included compute hours are used up; a budget notifies the team at
 * each threshold once a month and, with its hard stop, suspends the clusters at 100 %. When the reason goes (a
 * new month, an upgrade, a raised budget) the clusters billing suspended are woken. Suspending and waking are
 * ordinary operations started by `orochi:billing`; a cluster busy with another operation is taken next round.
 */
export class BillingEnforcer {
  readonly #accounts: BillingAccountStore;
  readonly #usage: UsageStore;
  readonly #store: OrochiStore;
  readonly #operations: ClusterOperations;
  readonly #offering: Offering;
  readonly #notify: (group: string, notice: BillingNotice) => Promise<void>;
  readonly #logger: LoggerService;
  readonly #clock: () => number;

  constructor(options: {
    accounts: BillingAccountStore;
    usage: UsageStore;
    store: OrochiStore;
    operations: ClusterOperations;
    offering: Offering;
    notify: (group: string, notice: BillingNotice) => Promise<void>;
    logger: LoggerService;
    clock?: () => number;
  }) {
    this.#accounts = options.accounts;
    this.#usage = options.usage;
    this.#store = options.store;
    this.#operations = options.operations;
    this.#offering = options.offering;
    this.#notify = options.notify;
    this.#logger = options.logger;
    this.#clock = options.clock ?? Date.now;
  }

  async enforceAll(): Promise<void> {
    for (const account of await this.#accounts.list()) {
      try {
        await this.enforce(account);
      } catch (error) {
        this.#logger.warn(`Could not check the billing limits of ${account.group}: ${stringifyError(error)}`);
      }
    }
  }

  async enforce(account: BillingAccountRecord): Promise<void> {
    const plan = this.#offering.plans.find(p => p.name === account.plan);
    if (!plan) return;
    const now = this.#clock();
    const { usage, clusters, invoice } = await monthToDate({ usage: this.#usage, store: this.#store }, account.group, plan, now);
    const month = new Date(billingPeriod(now).start).toISOString().slice(0, 7);
    await this.#alertBudget(account, invoice.totalUsd, month);

    const reason = suspensionReason(plan, account, usage.compute_unit_seconds ?? 0, invoice.totalUsd);
    if (reason) {
      if (account.suspension?.reason !== reason) {
        await this.#accounts.update(account.group, { suspension: { reason, since: new Date(now).toISOString() } });
        await this.#notify(account.group, {
          title: `${account.group}'s clusters are suspended`,
          description: `Orochi suspended the team's clusters: ${billingSuspensionMessage(reason)}.`,
          severity: 'critical',
        });
      }
      for (const cluster of clusters) await this.#suspend(cluster, reason);
    } else {
      if (account.suspension) {
        await this.#accounts.update(account.group, { suspension: null });
        await this.#notify(account.group, {
          title: `${account.group}'s clusters run again`,
          description: 'The reason billing suspended the team’s clusters is gone; Orochi is waking them.',
          severity: 'normal',
        });
      }
      for (const cluster of clusters) await this.#release(cluster);
    }
  }

  async #alertBudget(account: BillingAccountRecord, spentUsd: number, month: string) {
    const budget = account.budget;
    if (!budget) return;
    const alerted = account.budgetAlerted?.month === month ? account.budgetAlerted.thresholds : [];
    const crossed = budget.alertThresholds.filter(t => spentUsd >= t * budget.monthlyUsd && !alerted.includes(t));
    if (!crossed.length) return;
    const highest = Math.max(...crossed);
    await this.#accounts.update(account.group, { budgetAlerted: { month, thresholds: [...alerted, ...crossed] } });
    await this.#notify(account.group, {
      title: `${account.group} has used ${Math.round(highest * 100)} % of its budget`,
      description: `This month's cost is $${spentUsd.toFixed(2)} of the $${budget.monthlyUsd.toFixed(2)} budget${
        budget.hardStop ? '; at 100 % the team’s clusters are suspended.' : '.'
      }`,
      severity: highest >= 1 ? 'critical' : 'high',
    });
  }

  async #suspend(cluster: Cluster, reason: BillingSuspensionReason) {
    if (cluster.billingSuspended || cluster.currentOperationId) return;
    if (cluster.hibernated && !cluster.idleSuspended) return;
    const { idleSuspended: _idle, ...spec } = clusterSpecOf(cluster);
    await this.#start(cluster, { ...spec, hibernated: true, billingSuspended: reason }, 'hibernate', billingSuspensionMessage(reason));
  }

  async #release(cluster: Cluster) {
    if (!cluster.billingSuspended || cluster.currentOperationId) return;
    const { billingSuspended: _billing, ...spec } = clusterSpecOf(cluster);
    await this.#start(cluster, { ...spec, hibernated: false }, 'wake', 'billing no longer holds the team’s clusters');
  }

  async #start(cluster: Cluster, spec: ReturnType<typeof clusterSpecOf>, type: 'hibernate' | 'wake', reason: string) {
    try {
      const started = await this.#operations.startIfUnchanged(cluster, { type, parameters: {} }, spec, {
        requestedBy: AUTOMATIC_REQUESTERS.billing,
        reason,
      });
      if (started) this.#logger.info(`Billing: ${type === 'wake' ? 'waking' : 'suspending'} ${cluster.name}: ${reason}`);
    } catch (error) {
      // Another operation started meanwhile; the next round takes the cluster.
      this.#logger.debug(`Billing did not ${type} ${cluster.name}: ${stringifyError(error)}`);
    }
  }
}

/** Why the team's clusters must stop now, if they must. */
function suspensionReason(
  plan: Plan,
  account: BillingAccountRecord,
  computeUnitSeconds: number,
  spentUsd: number,
): BillingSuspensionReason | undefined {
  const includedHours = plan.limits.computeHours;
  if (!plan.overage && includedHours !== undefined && computeUnitSeconds / 3600 >= includedHours) return 'compute-hours';
  if (account.budget?.hardStop && spentUsd >= account.budget.monthlyUsd) return 'budget';
  return undefined;
}
