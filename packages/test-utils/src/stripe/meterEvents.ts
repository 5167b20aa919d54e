import { randomBytes } from 'node:crypto';
import { StripeFakeError } from './errors';
import { FormValue } from './formEncoding';

/** A meter event as the fake recorded it; `cancelled` once a meter event adjustment cancelled it. */
export interface RecordedMeterEvent {
  event_name: string;
  identifier: string;
  payload: Record<string, string>;
  /** Unix seconds. */
  timestamp: number;
  /** Unix seconds: when Stripe received it (adjustments may cancel it for 24 hours). */
  received: number;
  cancelled?: boolean;
}

const DAY = 86_400;
const now = () => Math.floor(Date.now() / 1000);
const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/**
 * Meter events as Stripe keeps them: at most one per identifier (the second is a 400 that says so, with
 * `Stripe-Should-Retry: false`), whole-number values, timestamps within the past 35 days and 5 minutes ahead,
 * cancellations within 24 hours of receipt, and summaries per customer and meter.
 */
export class MeterEventLedger {
  readonly events = new Map<string, RecordedMeterEvent>();

  /** `POST /v1/billing/meter_events` (form) and `POST /v2/billing/meter_events` (JSON, RFC 3339 timestamp). */
  record(params: Record<string, FormValue | unknown>, version: 'v1' | 'v2'): RecordedMeterEvent {
    const eventName = text(params.event_name);
    if (!eventName) throw StripeFakeError.missing('event_name');
    const payload = params.payload as Record<string, string> | undefined;
    if (!payload || typeof payload !== 'object') throw StripeFakeError.missing('payload');
    if (!/^-?\d{1,15}$/.test(String(payload.value ?? ''))) {
      throw StripeFakeError.invalid('payload[value]', 'The value must be a whole number of at most 15 digits.');
    }
    if (!text(payload.stripe_customer_id)) throw StripeFakeError.missing('payload[stripe_customer_id]');
    const given = text(params.timestamp);
    // v1 takes unix seconds, v2 an RFC 3339 time.
    let timestamp = now();
    if (given !== undefined) timestamp = version === 'v1' ? Number(given) : Math.floor(Date.parse(given) / 1000);
    if (!Number.isFinite(timestamp) || timestamp < now() - 35 * DAY || timestamp > now() + 300) {
      throw StripeFakeError.invalid('timestamp', 'Timestamp must be within the past 35 calendar days and no more than 5 minutes in the future.');
    }
    const identifier = text(params.identifier) ?? `mev_${randomBytes(12).toString('hex')}`;
    if (this.events.has(identifier)) {
      throw new StripeFakeError(400, { type: 'invalid_request_error', message: `An event already exists with identifier ${identifier}.` }, { 'Stripe-Should-Retry': 'false' });
    }
    const event = { event_name: eventName, identifier, payload: { ...payload, value: String(payload.value) }, timestamp, received: now() };
    this.events.set(identifier, event);
    return event;
  }

  /** `POST /v1/billing/meter_event_adjustments` with `type=cancel`. */
  cancel(params: Record<string, FormValue>): { event_name: string; identifier: string } {
    const eventName = text(params.event_name);
    if (!eventName) throw StripeFakeError.missing('event_name');
    if (text(params.type) !== 'cancel') throw StripeFakeError.invalid('type', 'The only adjustment type is cancel.');
    const identifier = text((params.cancel as Record<string, FormValue> | undefined)?.identifier);
    if (!identifier) throw StripeFakeError.missing('cancel[identifier]');
    const event = this.events.get(identifier);
    if (!event || event.event_name !== eventName || event.received < now() - DAY) {
      throw StripeFakeError.invalid('cancel[identifier]', `No meter event with identifier ${identifier} received within the last 24 hours.`);
    }
    event.cancelled = true;
    return { event_name: eventName, identifier };
  }

  /** The sum of a customer's events of `eventName` with timestamps in [start, end), cancelled ones left out. */
  total(eventName: string, customer: string, start: number, end: number): number {
    return [...this.events.values()]
      .filter(e => !e.cancelled && e.event_name === eventName && e.payload.stripe_customer_id === customer && e.timestamp >= start && e.timestamp < end)
      .reduce((sum, e) => sum + Number(e.payload.value), 0);
  }
}
