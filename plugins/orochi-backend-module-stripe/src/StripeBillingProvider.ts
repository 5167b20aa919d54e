import { AuthenticationError, InputError } from '@backstage/errors';
import { USAGE_METERS, UsageMeter } from '@orochi/backstage-plugin-orochi-common';
import { BillingEvent, BillingProvider, MeterEvent } from '@orochi/backstage-plugin-orochi-node';
import { createHash } from 'node:crypto';
import Stripe from 'stripe';
import { StripeConfig } from './config';

/** Stripe takes meter events up to 35 days old. */
const MAX_EVENT_AGE_MS = 35 * 86_400_000;
const GROUP_KEY = 'orochi_group';

/** Stripe's own words for an error (the SDK prefixes its message with the request id). */
const stripeMessage = (error: unknown) =>
  error instanceof Stripe.errors.StripeError ? (error.raw as { message?: string } | undefined)?.message ?? error.message : String(error);

/**
 * Orochi's billing through Stripe's API with the official SDK. Meter events carry Orochi's deterministic
 * identifiers: Stripe refuses a second event with one (a 400 that says so), which means it has the first, so a
 * resend is delivered, not double-billed. Requests that create something carry idempotency keys. A refusal that no
 * retry can change (Stripe's 400s) is an InputError; the rest are worth another try later.
 */
export class StripeBillingProvider implements BillingProvider {
  readonly #stripe: Stripe;
  readonly #config: StripeConfig;

  constructor(config: StripeConfig) {
    this.#config = config;
    this.#stripe = new Stripe(config.secretKey, {
      ...(config.api ?? {}),
      telemetry: false,
      timeout: config.timeoutMs,
      maxNetworkRetries: config.maxNetworkRetries,
    });
  }

  eventName(meter: UsageMeter): string {
    return `${this.#config.meterEventPrefix}${meter}`;
  }

  async ensureCustomer(account: { group: string }): Promise<string> {
    // The same key within Stripe's 24 hours of idempotency answers the customer created first.
    const key = `orochi-customer-${createHash('sha256').update(account.group).digest('hex').slice(0, 40)}`;
    const customer = await this.#call(() =>
      this.#stripe.customers.create({ name: account.group, metadata: { [GROUP_KEY]: account.group } }, { idempotencyKey: key }),
    );
    return customer.id;
  }

  async sendMeterEvent(event: MeterEvent): Promise<void> {
    if (Date.now() - event.timestamp > MAX_EVENT_AGE_MS) {
      throw new InputError(`${event.identifier} is older than the 35 days Stripe accepts meter events for`);
    }
    try {
      await this.#stripe.billing.meterEvents.create({
        event_name: this.eventName(event.meter),
        identifier: event.identifier,
        timestamp: Math.floor(event.timestamp / 1000),
        payload: { stripe_customer_id: event.customerId, value: String(event.value) },
      });
    } catch (error) {
      if (/An event already exists with identifier/.test(stripeMessage(error))) return;
      throw this.#translate(error);
    }
  }

  async cancelMeterEvent(event: { identifier: string; meter: UsageMeter }): Promise<void> {
    await this.#call(() =>
      this.#stripe.billing.meterEventAdjustments.create({
        event_name: this.eventName(event.meter),
        type: 'cancel',
        cancel: { identifier: event.identifier },
      }),
    );
  }

  async createCheckout(request: { group: string; customerId: string; plan: string; returnUrl: string }): Promise<string> {
    const prices = this.#config.plans.get(request.plan);
    if (!prices || (!prices.basePrice && !prices.meteredPrices.length)) {
      throw new InputError(`plan: the ${request.plan} plan has no Stripe prices (orochi.billing.stripe.plans.${request.plan})`);
    }
    const metadata = { [GROUP_KEY]: request.group, orochi_plan: request.plan };
    const session = await this.#call(() =>
      this.#stripe.checkout.sessions.create({
        mode: 'subscription',
        customer: request.customerId,
        client_reference_id: request.group,
        line_items: [
          ...(prices.basePrice ? [{ price: prices.basePrice, quantity: 1 }] : []),
          // Stripe refuses a quantity on metered prices: usage sets it.
          ...prices.meteredPrices.map(price => ({ price })),
        ],
        metadata,
        subscription_data: { metadata },
        success_url: `${request.returnUrl}?checkout=success`,
        cancel_url: `${request.returnUrl}?checkout=cancelled`,
      }),
    );
    if (!session.url) throw new Error(`Stripe answered checkout session ${session.id} without a URL`);
    return session.url;
  }

  async createPortal(request: { customerId: string; returnUrl: string }): Promise<string> {
    const session = await this.#call(() =>
      this.#stripe.billingPortal.sessions.create({ customer: request.customerId, return_url: request.returnUrl }),
    );
    return session.url;
  }

  async parseWebhook(rawBody: Buffer, signature: string | undefined): Promise<BillingEvent> {
    if (!signature) throw new AuthenticationError('The webhook has no Stripe-Signature header');
    let event: Stripe.Event;
    try {
      event = this.#stripe.webhooks.constructEvent(rawBody, signature, this.#config.webhookSecret);
    } catch (error) {
      throw new AuthenticationError(`The webhook's signature does not match: ${stripeMessage(error)}`);
    }
    switch (event.type) {
      case 'checkout.session.completed': {
        const session = event.data.object;
        const subscriptionId = typeof session.subscription === 'string' ? session.subscription : session.subscription?.id;
        if (!subscriptionId) return { id: event.id, type: 'ignored', providerType: event.type };
        return this.#subscriptionEvent(event.id, subscriptionId, session.client_reference_id ?? undefined);
      }
      case 'customer.subscription.created':
      case 'customer.subscription.updated':
      case 'customer.subscription.deleted':
        return this.#subscriptionEvent(event.id, event.data.object.id, undefined, event.type === 'customer.subscription.deleted');
      case 'invoice.paid':
      case 'invoice.payment_failed': {
        const invoice = event.data.object;
        const customerId = typeof invoice.customer === 'string' ? invoice.customer : invoice.customer?.id;
        if (!customerId) return { id: event.id, type: 'ignored', providerType: event.type };
        const group = await this.#groupOfCustomer(customerId);
        if (!group) return { id: event.id, type: 'ignored', providerType: event.type };
        return { id: event.id, type: event.type === 'invoice.paid' ? 'invoice-paid' : 'invoice-payment-failed', group, customerId };
      }
      default:
        return { id: event.id, type: 'ignored', providerType: event.type };
    }
  }

  async checkSetup(): Promise<string[]> {
    const problems: string[] = [];
    const meters = new Map<string, Stripe.Billing.Meter>();
    for await (const meter of this.#stripe.billing.meters.list({ limit: 100 })) meters.set(meter.event_name, meter);
    for (const meter of USAGE_METERS) {
      const eventName = this.eventName(meter);
      if (meters.has(eventName)) continue;
      const created = await this.#stripe.billing.meters.create(
        {
          display_name: `Orochi ${meter.replace(/_/g, ' ')}`,
          event_name: eventName,
          default_aggregation: { formula: 'sum' },
          customer_mapping: { type: 'by_id', event_payload_key: 'stripe_customer_id' },
          value_settings: { event_payload_key: 'value' },
        },
        { idempotencyKey: `orochi-meter-${eventName}` },
      );
      meters.set(eventName, created);
    }
    const ourMeters = new Set([...USAGE_METERS].map(m => meters.get(this.eventName(m))?.id));
    for (const [plan, prices] of this.#config.plans) {
      for (const priceId of prices.meteredPrices) {
        const price = await this.#retrievePrice(priceId);
        if (!price) problems.push(`the ${plan} plan's metered price ${priceId} does not exist in Stripe`);
        else if (price.recurring?.usage_type !== 'metered' || !ourMeters.has(price.recurring.meter ?? undefined)) {
          problems.push(`the ${plan} plan's price ${priceId} is not metered on one of Orochi's meters`);
        }
      }
      if (prices.basePrice && !(await this.#retrievePrice(prices.basePrice))) {
        problems.push(`the ${plan} plan's base price ${prices.basePrice} does not exist in Stripe`);
      }
    }
    return problems;
  }

  /** The subscription as Stripe has it now: events arrive in any order, so their payload may be stale. */
  async #subscriptionEvent(eventId: string, subscriptionId: string, groupHint?: string, deleted = false): Promise<BillingEvent> {
    const subscription = await this.#call(() => this.#stripe.subscriptions.retrieve(subscriptionId));
    const customerId = typeof subscription.customer === 'string' ? subscription.customer : subscription.customer.id;
    const group = subscription.metadata?.[GROUP_KEY] ?? groupHint ?? (await this.#groupOfCustomer(customerId));
    if (!group) return { id: eventId, type: 'ignored', providerType: 'subscription without an Orochi group' };
    const priceIds = new Set(subscription.items.data.map(item => item.price.id));
    const plan = [...this.#config.plans].find(
      ([, prices]) => (prices.basePrice && priceIds.has(prices.basePrice)) || prices.meteredPrices.some(p => priceIds.has(p)),
    )?.[0];
    return {
      id: eventId,
      type: 'subscription-changed',
      group,
      customerId,
      subscriptionId,
      status: deleted ? 'canceled' : subscription.status,
      ...(plan ? { plan } : {}),
    };
  }

  async #groupOfCustomer(customerId: string): Promise<string | undefined> {
    const customer = await this.#call(() => this.#stripe.customers.retrieve(customerId));
    return 'deleted' in customer && customer.deleted ? undefined : (customer as Stripe.Customer).metadata?.[GROUP_KEY];
  }

  async #retrievePrice(id: string): Promise<Stripe.Price | undefined> {
    try {
      return await this.#stripe.prices.retrieve(id);
    } catch (error) {
      if (error instanceof Stripe.errors.StripeInvalidRequestError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  async #call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw this.#translate(error);
    }
  }

  /** Stripe's 400s say the request itself is wrong, and no retry helps; everything else may pass later. */
  #translate(error: unknown): Error {
    if (error instanceof Stripe.errors.StripeInvalidRequestError && error.statusCode === 400) {
      return new InputError(`Stripe refused the request: ${stripeMessage(error)}`);
    }
    return error instanceof Error ? error : new Error(String(error));
  }
}
