import { MeterEventStore } from '../database/MeterEventStore';
import { UsageStore } from '../database/UsageStore';
import { HOUR_MS } from './usageIntervals';

/**
 * Rolls complete hours up into hourly totals and, when Orochi bills through a provider, queues each account
 * total that changed as a meter event revision in the same transaction: a crash leaves either both or neither.
 * Then drops raw samples and hourly totals past their retention.
 */
export class UsageRollup {
  readonly #usage: UsageStore;
  readonly #events?: MeterEventStore;
  readonly #clock: () => number;
  readonly #rawRetentionMs: number;
  readonly #retentionMs: number;

  constructor(options: {
    usage: UsageStore;
    /** Absent without a billing provider: usage is rolled up and billed nowhere. */
    events?: MeterEventStore;
    clock?: () => number;
    rawRetentionMs: number;
    retentionMs: number;
  }) {
    this.#usage = options.usage;
    this.#events = options.events;
    this.#clock = options.clock ?? Date.now;
    this.#rawRetentionMs = options.rawRetentionMs;
    this.#retentionMs = options.retentionMs;
  }

  /** Answers how many account totals changed. */
  async rollUp(): Promise<number> {
    const now = this.#clock();
    const events = this.#events;
    const totals = await this.#usage.rollUp(
      Math.floor(now / HOUR_MS) * HOUR_MS,
      events ? (tx, changed) => events.addRevisions(tx, changed, now).then(() => undefined) : undefined,
    );
    await this.#usage.prune(now - this.#rawRetentionMs, now - this.#retentionMs);
    return totals.length;
  }
}
