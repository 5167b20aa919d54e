import { createExtensionPoint } from '@backstage/backend-plugin-api';
import { UsageMeter } from '@orochi/backstage-plugin-orochi-common';

/** A team's billing account as a provider needs it. */
export interface BillingCustomerRef {
  /** The owning group, as a full entity ref. */
  group: string;
  /** The provider's customer, once created. */
  customerId?: string;
}

/** One hour of one meter for one account, sent once under its identifier. */
export interface MeterEvent {
  /** Deterministic: the same account, meter, hour and revision always give the same identifier. */
  identifier: string;
  meter: UsageMeter;
  customerId: string;
  /** A whole number. */
  value: number;
  /** Start of the hour, epoch ms. */
  timestamp: number;
}

/** What a provider's webhook said, in Orochi's terms; the backend applies it to the account once per `id`. */
export type BillingEvent =
  | {
      id: string;
      type: 'subscription-changed';
      group: string;
      customerId: string;
      subscriptionId: string;
      /** The provider's status (`active`, `past_due`, `canceled`, ...). */
      status: string;
      /** The Orochi plan its prices belong to; absent when no configured plan matches. */
      plan?: string;
    }
  | { id: string; type: 'invoice-paid' | 'invoice-payment-failed'; group: string; customerId: string }
  /** An event Orochi does not act on; recorded so a replay is recognised. */
  | { id: string; type: 'ignored'; providerType: string };

/**
 * Where Orochi bills: Stripe in production (`@orochi/backstage-plugin-orochi-backend-module-stripe`). Every
 * method may be retried after a crash; a provider makes each one idempotent.
 */
export interface BillingProvider {
  /** The customer for a team: created when missing, the same one again on a retry. Answers its id. */
  ensureCustomer(account: BillingCustomerRef): Promise<string>;
  /**
   * Sends one meter event. Resolves when the provider has it, including when it already had it under the same
   * identifier; throws when it may not have it (the outbox tries again later).
   */
  sendMeterEvent(event: MeterEvent): Promise<void>;
  /** Cancels an event sent earlier, for a correction (providers accept this only for recent events). */
  cancelMeterEvent(event: { identifier: string; meter: UsageMeter }): Promise<void>;
  /** A hosted checkout page that subscribes the customer to a plan; answers its URL. */
  createCheckout(request: { group: string; customerId: string; plan: string; returnUrl: string }): Promise<string>;
  /** A page where the customer manages payment methods, invoices and cancellation; answers its URL. */
  createPortal(request: { customerId: string; returnUrl: string }): Promise<string>;
  /** Verifies a webhook's signature over its raw body and says what it means; throws when the signature is wrong. */
  parseWebhook(rawBody: Buffer, signature: string | undefined): Promise<BillingEvent>;
  /** What is missing or wrong in the provider's setup (meters, prices), in words for admins; empty when ready. */
  checkSetup(): Promise<string[]>;
}

/** Lets a backend module bill through a provider; without one Orochi meters usage and bills nothing. */
export interface OrochiBillingExtensionPoint {
  setProvider(provider: BillingProvider): void;
}

/** @public */
export const orochiBillingExtensionPoint = createExtensionPoint<OrochiBillingExtensionPoint>({
  id: 'orochi.billing',
});
