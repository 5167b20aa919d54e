import { LoggerService } from '@backstage/backend-plugin-api';
import { InputError, stringifyError } from '@backstage/errors';
import { BillingProvider } from '@orochi/backstage-plugin-orochi-node';
import { BillingAccountStore } from '../database/BillingAccountStore';
import { MeterEventStore, OutboxEvent } from '../database/MeterEventStore';
import { customerOf } from './customers';

/** Stripe cancels meter events for 24 hours after receipt; an hour's margin keeps a cancel inside that. */
const CANCEL_WINDOW_MS = 23 * 3_600_000;

/**
 * Delivers the outbox to the billing provider. Each event goes under its deterministic identifier, so a resend
 * after a crash, a lost response or another replica's attempt is recognised by the provider and bills nothing
 * twice; it is marked delivered only once the provider has it. A correction (a later revision of an hour) cancels
 * the revision it replaces and sends the new total, or sends the difference once a cancel is too late.
 * Revisions of an hour go out in order: a revision waits while the one it replaces is still on its way.
 */
export class MeterEventOutbox {
  readonly #events: MeterEventStore;
  readonly #accounts: BillingAccountStore;
  readonly #provider: BillingProvider;
  readonly #logger: LoggerService;
  readonly #clock: () => number;
  readonly #leaseMs: number;
  readonly #batchSize: number;

  constructor(options: {
    events: MeterEventStore;
    accounts: BillingAccountStore;
    provider: BillingProvider;
    logger: LoggerService;
    clock?: () => number;
    leaseMs?: number;
    batchSize?: number;
  }) {
    this.#events = options.events;
    this.#accounts = options.accounts;
    this.#provider = options.provider;
    this.#logger = options.logger;
    this.#clock = options.clock ?? Date.now;
    this.#leaseMs = options.leaseMs ?? 120_000;
    this.#batchSize = options.batchSize ?? 200;
  }

  /** Sends what is due; answers how many events the provider now has. */
  async deliverDue(): Promise<number> {
    let delivered = 0;
    for (const event of await this.#events.claim(this.#clock(), this.#leaseMs, this.#batchSize)) {
      if (await this.#deliver(event)) delivered += 1;
    }
    return delivered;
  }

  async #deliver(event: OutboxEvent): Promise<boolean> {
    try {
      const replaced = await this.#lastBilled(event);
      if (replaced === 'waiting') {
        await this.#events.retryLater(event.identifier, `waits for ${event.cancels} to be delivered first`, this.#clock() + 5_000);
        return false;
      }
      const account = await this.#accounts.get(event.owner);
      if (!account) throw new InputError(`${event.owner} has no billing account`);
      const customerId = await customerOf(account, this.#accounts, this.#provider);
      let value = event.value;
      if (replaced && this.#clock() - (replaced.deliveredAt ?? 0) < CANCEL_WINDOW_MS) {
        await this.#provider.cancelMeterEvent({ identifier: replaced.identifier, meter: event.meter });
      } else if (replaced) {
        value = event.value - replaced.value;
      }
      await this.#provider.sendMeterEvent({ identifier: event.identifier, meter: event.meter, customerId, value, timestamp: event.hour });
      await this.#events.delivered(event.identifier, this.#clock());
      return true;
    } catch (error) {
      if (error instanceof InputError) {
        this.#logger.error(`Billing refused meter event ${event.identifier}: ${error.message}`);
        await this.#events.failed(event.identifier, error.message);
        return false;
      }
      const backoffMs = Math.min(3_600_000, 15_000 * 2 ** event.attempts);
      this.#logger.warn(`Could not deliver meter event ${event.identifier} (attempt ${event.attempts + 1}): ${stringifyError(error)}`);
      await this.#events.retryLater(event.identifier, stringifyError(error), this.#clock() + backoffMs);
      return false;
    }
  }

  /** The revision the provider bills now for this event's hour, skipping failed ones; `waiting` while one is in flight. */
  async #lastBilled(event: OutboxEvent): Promise<OutboxEvent | 'waiting' | undefined> {
    for (let identifier = event.cancels; identifier; ) {
      const previous = await this.#events.get(identifier);
      if (!previous) return undefined;
      if (previous.state === 'delivered') return previous;
      if (previous.state === 'pending') return 'waiting';
      identifier = previous.cancels;
    }
    return undefined;
  }
}
