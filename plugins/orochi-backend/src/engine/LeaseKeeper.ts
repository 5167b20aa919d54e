import { LoggerService } from '@backstage/backend-plugin-api';
import { stringifyError } from '@backstage/errors';

/** The claim on an operation is gone: another worker may run it now, so this run must stop. */
export class LeaseLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LeaseLostError';
  }
}

export interface LeaseKeeperOptions {
  /** Extends the lease; false when the claim is gone. */
  renew(): Promise<boolean>;
  leaseMs: number;
  onLost(reason: LeaseLostError): void;
  logger: LoggerService;
}

/**
 * Renews an operation's lease while it runs, three times per lease. When a renewal says the claim is gone, or
 * renewals fail for so long that the lease would expire before the next try, it calls `onLost`: from then on
 * another worker may claim the operation, so the local run must be aborted.
 */
export class LeaseKeeper {
  readonly #options: LeaseKeeperOptions;
  #validUntil: number;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: LeaseKeeperOptions) {
    this.#options = options;
    this.#validUntil = Date.now() + options.leaseMs;
    this.#schedule();
  }

  stop() {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #schedule() {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#renew(), this.#options.leaseMs / 3);
  }

  async #renew() {
    const { renew, leaseMs, logger } = this.#options;
    const requestedAt = Date.now();
    try {
      if (await renew()) {
        this.#validUntil = requestedAt + leaseMs;
      } else {
        this.#lose(new LeaseLostError('Another worker holds the operation now'));
        return;
      }
    } catch (error) {
      logger.warn(`Could not renew the lease: ${stringifyError(error)}`);
      if (Date.now() + leaseMs / 3 >= this.#validUntil) {
        this.#lose(new LeaseLostError(`The lease could not be renewed before it expired: ${stringifyError(error)}`));
        return;
      }
    }
    this.#schedule();
  }

  #lose(reason: LeaseLostError) {
    if (this.#stopped) return;
    this.stop();
    this.#options.onLost(reason);
  }
}
