import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  accountChangeSchema,
  checkoutRequestSchema,
  usageQuerySchema,
  billingManagePermission,
  billingPlanSetPermission,
  billingReadPermission,
  BillingSummary,
  ClusterUsage,
  Offering,
  Plan,
  UsageReport,
} from '@orochi/backstage-plugin-orochi-common';
import { BillingProvider } from '@orochi/backstage-plugin-orochi-node';
import { BillingAccountRecord, BillingAccountStore } from '../database/BillingAccountStore';
import { OrochiStore } from '../database/OrochiStore';
import { UsageStore } from '../database/UsageStore';
import { ClusterAccess } from '../service/ClusterAccess';
import { ClusterAuthorizer } from '../service/ClusterAuthorizer';
import { parseRequest } from '../service/parseRequest';

import { customerOf } from './customers';
import { billingPeriod } from './invoice';
import { monthToDate } from './monthToDate';
import { usagePeriods } from './usagePeriods';

/**
 * A team's billing as the API serves it: its account and plan, usage and the projected invoice, and the changes
 * a team member or an admin makes (plan, budget, checkout, billing portal). Reads need `orochi.billing.read` on
 * the team, changes `orochi.billing.manage`; only `orochi.billing.plan.set` sets a plan without payment.
 */
export class BillingService {
  readonly #accounts: BillingAccountStore;
  readonly #usage: UsageStore;
  readonly #store: OrochiStore;
  readonly #offering: Offering;
  readonly #access: ClusterAccess;
  readonly #authorizer: ClusterAuthorizer;
  readonly #provider?: BillingProvider;
  readonly #returnUrl: string;
  readonly #clock: () => number;
  readonly #onPlanChanged: (group: string) => Promise<void>;
  readonly #setupProblems: string[];

  constructor(options: {
    accounts: BillingAccountStore;
    usage: UsageStore;
    store: OrochiStore;
    offering: Offering;
    access: ClusterAccess;
    authorizer: ClusterAuthorizer;
    provider?: BillingProvider;
    returnUrl: string;
    clock?: () => number;
    /** Called after a team's plan changed, so what the old plan held back (a suspension) is reconsidered. */
    onPlanChanged?: (group: string) => Promise<void>;
    /** What the provider's setup lacks, shown to admins. */
    setupProblems?: string[];
  }) {
    this.#accounts = options.accounts;
    this.#usage = options.usage;
    this.#store = options.store;
    this.#offering = options.offering;
    this.#access = options.access;
    this.#authorizer = options.authorizer;
    this.#provider = options.provider;
    this.#returnUrl = options.returnUrl;
    this.#clock = options.clock ?? Date.now;
    this.#onPlanChanged = options.onPlanChanged ?? (async () => undefined);
    this.#setupProblems = options.setupProblems ?? [];
  }

  async summary(credentials: BackstageCredentials, groupRef: string): Promise<BillingSummary> {
    const group = this.#access.normalizeRef(groupRef, 'group', 'group');
    await this.#authorizer.authorize(billingReadPermission, credentials, { owner: group });
    const account = await this.#accountOf(group);
    const plan = this.#planNamed(account.plan);
    const { usage, invoice } = await monthToDate({ usage: this.#usage, store: this.#store }, group, plan, this.#clock());
    const { customerId: _customer, budgetAlerted: _alerted, ...shown } = account;
    return {
      account: shown,
      plan,
      usage,
      invoice,
      billingProvider: this.#provider ? 'configured' : 'none',
      ...(this.#setupProblems.length && (await this.#isAdmin(credentials)) ? { setupProblems: this.#setupProblems } : {}),
    };
  }

  async usage(credentials: BackstageCredentials, groupRef: string, query: unknown): Promise<UsageReport> {
    const group = this.#access.normalizeRef(groupRef, 'group', 'group');
    await this.#authorizer.authorize(billingReadPermission, credentials, { owner: group });
    return this.#report({ owner: group }, query);
  }

  async clusterUsage(credentials: BackstageCredentials, clusterId: string, query: unknown): Promise<UsageReport> {
    const cluster = await this.#access.findReadable(credentials, clusterId);
    await this.#authorizer.authorize(billingReadPermission, credentials, cluster);
    return this.#report({ clusterId }, query);
  }

  /** This period's usage per cluster of the team, clusters deleted during the period included. */
  async perCluster(credentials: BackstageCredentials, groupRef: string): Promise<ClusterUsage[]> {
    const group = this.#access.normalizeRef(groupRef, 'group', 'group');
    await this.#authorizer.authorize(billingReadPermission, credentials, { owner: group });
    const now = this.#clock();
    const rows = await this.#usage.perCluster(group, billingPeriod(now).start, now + 1);
    const names = new Map((await this.#store.listAllClusters(group)).map(c => [c.id, c.name]));
    const byCluster = new Map<string, ClusterUsage>();
    for (const row of rows) {
      const entry = byCluster.get(row.clusterId) ?? { clusterId: row.clusterId, clusterName: names.get(row.clusterId), usage: {} };
      entry.usage[row.meter] = row.value;
      byCluster.set(row.clusterId, entry);
    }
    return [...byCluster.values()].sort((a, b) => (b.usage.compute_unit_seconds ?? 0) - (a.usage.compute_unit_seconds ?? 0));
  }

  /** Sets a team's budget (`orochi.billing.manage`) or plan (`orochi.billing.plan.set`). */
  async update(credentials: BackstageCredentials, groupRef: string, body: unknown): Promise<BillingAccountRecord> {
    const group = this.#access.normalizeRef(groupRef, 'group', 'group');
    const change = parseRequest(accountChangeSchema, body);
    if (change.plan !== undefined) {
      this.#planNamed(change.plan, 'plan');
      await this.#authorizer.authorizeBasic(billingPlanSetPermission, credentials, `setting ${group}'s plan without payment is for admins`);
    }
    if (change.budget !== undefined) await this.#authorizer.authorize(billingManagePermission, credentials, { owner: group });
    const before = await this.#accounts.ensure(group, this.#offering.defaults.plan);
    const after = await this.#accounts.update(group, change);
    if (after.plan !== before.plan) await this.#onPlanChanged(group);
    return after;
  }

  /** A checkout page of the billing provider that subscribes the team to a plan. */
  async checkout(credentials: BackstageCredentials, groupRef: string, body: unknown): Promise<{ url: string }> {
    const group = this.#access.normalizeRef(groupRef, 'group', 'group');
    const { plan } = parseRequest(checkoutRequestSchema, body);
    this.#planNamed(plan, 'plan');
    await this.#authorizer.authorize(billingManagePermission, credentials, { owner: group });
    const provider = this.#requireProvider();
    const customerId = await customerOf(await this.#accounts.ensure(group, this.#offering.defaults.plan), this.#accounts, provider);
    return { url: await provider.createCheckout({ group, customerId, plan, returnUrl: this.#returnUrl }) };
  }

  /** The billing provider's portal for the team: payment methods, invoices, cancellation. */
  async portal(credentials: BackstageCredentials, groupRef: string): Promise<{ url: string }> {
    const group = this.#access.normalizeRef(groupRef, 'group', 'group');
    await this.#authorizer.authorize(billingManagePermission, credentials, { owner: group });
    const provider = this.#requireProvider();
    const customerId = await customerOf(await this.#accounts.ensure(group, this.#offering.defaults.plan), this.#accounts, provider);
    return { url: await provider.createPortal({ customerId, returnUrl: this.#returnUrl }) };
  }

  async #report(scope: { owner: string } | { clusterId: string }, query: unknown): Promise<UsageReport> {
    const now = this.#clock();
    const { from, to, granularity, limit, cursor } = parseRequest(usageQuerySchema, query, 'query');
    const start = cursor ?? from;
    const fromMs = start ? Date.parse(start) : billingPeriod(now).start;
    const toMs = to ? Date.parse(to) : now + 1;
    if (!(toMs > fromMs)) throw new InputError('to: must be after from');
    return usagePeriods(await this.#usage.hourly(scope, fromMs, toMs), { fromMs, toMs, granularity, limit });
  }

  /** The team's account; a team that has never had one is shown on the default plan (and is opened when first changed). */
  async #accountOf(group: string): Promise<BillingAccountRecord> {
    const account = await this.#accounts.get(group);
    if (account) return account;
    const now = new Date(this.#clock()).toISOString();
    return { group, plan: this.#offering.defaults.plan, hasCustomer: false, createdAt: now, updatedAt: now };
  }

  /** Admins are who may set plans; they see what the billing provider's setup lacks. */
  async #isAdmin(credentials: BackstageCredentials): Promise<boolean> {
    return this.#authorizer.authorizeBasic(billingPlanSetPermission, credentials, 'admins only').then(
      () => true,
      () => false,
    );
  }

  #planNamed(name: string, field?: string): Plan {
    const plan = this.#offering.plans.find(p => p.name === name);
    if (plan) return plan;
    if (field) throw new InputError(`${field}: no plan named ${name} (plans: ${this.#offering.plans.map(p => p.name).join(', ')})`);
    throw new NotFoundError(`The plan ${name} is no longer offered`);
  }

  #requireProvider(): BillingProvider {
    if (!this.#provider) {
      throw new ConflictError('This portal takes no payments: no billing provider is configured (orochi.billing.stripe); an admin sets the plan');
    }
    return this.#provider;
  }
}
