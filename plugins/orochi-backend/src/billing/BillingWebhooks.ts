import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { AuthenticationError } from '@backstage/errors';
import { Offering } from '@orochi/backstage-plugin-orochi-common';
import { BillingEvent, BillingProvider } from '@orochi/backstage-plugin-orochi-node';
import { Request } from 'express';
import { AccountUpdate, BillingAccountStore } from '../database/BillingAccountStore';

/** Subscription statuses in which the subscribed plan applies. */
const PAYING = new Set(['active', 'trialing', 'past_due']);

/**
 * Applies the billing provider's webhooks: the signature is checked over the raw body (a wrong one changes
 * nothing and is answered 401), each event id is applied once, and the subscription's state, which the provider
 * re-reads for every event because deliveries come in any order, sets the team's plan. A subscription that ends
 * returns the team to the plan for teams that do not pay.
 */
export class BillingWebhooks {
  readonly #provider: BillingProvider;
  readonly #accounts: BillingAccountStore;
  readonly #offering: Offering;
  readonly #auditor: AuditorService;
  readonly #logger: LoggerService;
  readonly #onPlanChanged: (group: string) => Promise<void>;
  readonly #onPaymentFailed: (group: string) => Promise<void>;
  readonly #clock: () => number;

  constructor(options: {
    provider: BillingProvider;
    accounts: BillingAccountStore;
    offering: Offering;
    auditor: AuditorService;
    logger: LoggerService;
    onPlanChanged: (group: string) => Promise<void>;
    onPaymentFailed: (group: string) => Promise<void>;
    clock?: () => number;
  }) {
    this.#provider = options.provider;
    this.#accounts = options.accounts;
    this.#offering = options.offering;
    this.#auditor = options.auditor;
    this.#logger = options.logger;
    this.#onPlanChanged = options.onPlanChanged;
    this.#onPaymentFailed = options.onPaymentFailed;
    this.#clock = options.clock ?? Date.now;
  }

  /** Answers whether the event was applied now (false: a replay, or an event Orochi ignores). */
  async receive(req: Request): Promise<boolean> {
    const audit = await this.#auditor.createEvent({ eventId: 'billing-webhook', severityLevel: 'medium', request: req });
    let event: BillingEvent;
    try {
      if (!Buffer.isBuffer(req.body)) throw new AuthenticationError('The webhook body must be the raw JSON the provider signed');
      event = await this.#provider.parseWebhook(req.body, req.header('stripe-signature') ?? undefined);
    } catch (error) {
      await audit.fail({ error: error as Error });
      throw error instanceof AuthenticationError ? error : new AuthenticationError(`Webhook refused: ${(error as Error).message}`);
    }
    const group = event.type === 'ignored' ? undefined : event.group;
    let planChanged = false;
    const applied = await this.#accounts.applyEventOnce(
      { id: event.id, type: event.type === 'ignored' ? event.providerType : event.type, receivedAt: this.#clock() },
      group,
      account => {
        const change = this.#changeFor(event);
        planChanged = Boolean(account && change?.plan && change.plan !== account.plan);
        return change;
      },
    );
    await audit.success({ meta: { eventId: event.id, type: event.type, group: group ?? null, applied } });
    if (!applied) {
      this.#logger.info(`Billing webhook ${event.id} was applied before; nothing changed`);
      return false;
    }
    if (group && planChanged) await this.#onPlanChanged(group);
    if (group && event.type === 'invoice-payment-failed') await this.#onPaymentFailed(group);
    return true;
  }

  #changeFor(event: BillingEvent): AccountUpdate | undefined {
    if (event.type !== 'subscription-changed') return undefined;
    const subscription = { id: event.subscriptionId, status: event.status };
    if (PAYING.has(event.status) && event.plan) return { subscription, plan: event.plan };
    if (PAYING.has(event.status)) return { subscription };
    return { subscription, plan: this.#unpaidPlan() };
  }

  /** The plan of a team whose subscription ended: the first free plan offered, else the default plan. */
  #unpaidPlan(): string {
    return this.#offering.plans.find(p => p.monthlyPriceUsd === 0)?.name ?? this.#offering.defaults.plan;
  }
}
