import { createHash, createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { StripeFakeError } from './errors';
import { decodeForm, FormValue } from './formEncoding';
import { MeterEventLedger } from './meterEvents';

/** Stripe's own example objects (../shared/stripe/fixtures3.json), the shapes the fake answers with. */
function loadFixtures(): Record<string, Record<string, unknown>> {
  const path = resolvePackagePath('@orochi/test-utils', '../../../shared/stripe/fixtures3.json');
  return JSON.parse(readFileSync(path, 'utf8')).resources;
}

/** What a request does instead of being answered normally; each injected failure applies to one request. */
export type InjectedFailure =
  | { kind: 'status'; status: 500 | 502 | 503 | 429 | 409 }
  /** The request is never answered (the client's timeout decides). */
  | { kind: 'timeout' }
  /** The request takes effect, then the connection is dropped before the answer. */
  | { kind: 'lost' };

interface Saved {
  fingerprint: string;
  status: number;
  body: object;
}

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('base64url')}`;
const now = () => Math.floor(Date.now() / 1000);
const text = (value: FormValue | undefined) => (typeof value === 'string' ? value : undefined);

/**
 * A local Stripe for tests, speaking its wire format for what Orochi calls: form-encoded v1 requests, Bearer keys,
 * `Idempotency-Key` replay (and the 400 for a reused key with other parameters), Stripe's error bodies and status
 * codes, meter events with identifier de-duplication, and webhook signatures. Failures can be injected per request.
 * Point the SDK at it with {@link FakeStripe.sdkOptions}.
 */
export class FakeStripe {
  readonly apiKey = `sk_test_${randomBytes(12).toString('hex')}`;
  readonly webhookSecret = `whsec_${randomBytes(16).toString('hex')}`;
  readonly customers = new Map<string, Record<string, unknown>>();
  readonly meters = new Map<string, Record<string, unknown>>();
  /** Every meter event accepted, by identifier: a second one with the same identifier is refused. */
  readonly ledger = new MeterEventLedger();
  readonly subscriptions = new Map<string, Record<string, unknown>>();
  readonly checkoutSessions = new Map<string, Record<string, unknown>>();
  readonly prices = new Map<string, Record<string, unknown>>();
  /** Every request received, in order, failed or not. */
  readonly requests: Array<{ method: string; path: string; params: Record<string, FormValue> }> = [];
  readonly #fixtures = loadFixtures();
  readonly #idempotency = new Map<string, Saved>();
  readonly #failures: Array<{ path?: string; failure: InjectedFailure }> = [];
  readonly #sockets = new Set<Socket>();
  #random?: { rate: number; random: () => number; failures: InjectedFailure[] };
  #server?: Server;
  port = 0;

  async start(): Promise<this> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#server.on('connection', socket => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    await new Promise<void>(resolve => this.#server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.#sockets.forEach(socket => socket.destroy());
    await new Promise(resolve => (this.#server ? this.#server.close(resolve) : resolve(undefined)));
  }

  /** The options of `new Stripe(apiKey, options)` that send every request here. */
  sdkOptions() {
    return { host: '127.0.0.1', port: this.port, protocol: 'http' as const, telemetry: false };
  }

  /** The next request (to `path`, if given) fails as told. */
  inject(failure: InjectedFailure, path?: string) {
    this.#failures.push({ path, failure });
  }

  /** From now on each request fails with probability `rate`, as one of `failures` (drawn with `random`); off without options. */
  failRandomly(options?: { rate: number; random: () => number; failures: InjectedFailure[] }) {
    this.#random = options;
  }

  /**
   * What a platform team sets up in Stripe for a plan: the meter for compute (once) and the plan's prices, a
   * licensed monthly base price and a metered compute price. Answers the price ids.
   */
  createPlanPrices(plan: string, monthlyUsd: number): { basePrice: string; meteredPrices: string[] } {
    const eventName = 'orochi_compute_unit_seconds';
    const meter =
      [...this.meters.values()].find(m => m.event_name === eventName) ??
      this.#createMeter({ display_name: 'Orochi compute', event_name: eventName, default_aggregation: { formula: 'sum' } });
    const base = this.#createPrice({ currency: 'usd', unit_amount: String(monthlyUsd * 100), product: `prod_${plan}`, recurring: { interval: 'month' } });
    const compute = this.#createPrice({ currency: 'usd', unit_amount: '1', product: `prod_${plan}_compute`, recurring: { interval: 'month', usage_type: 'metered', meter: meter.id as string } });
    return { basePrice: base.id as string, meteredPrices: [compute.id as string] };
  }

  /** A `Stripe-Signature` header for `payload`, as Stripe signs webhook deliveries. */
  signature(payload: string, timestamp = now(), secret = this.webhookSecret): string {
    const v1 = createHmac('sha256', secret).update(`${timestamp}.${payload}`).digest('hex');
    return `t=${timestamp},v1=${v1}`;
  }

  /** Delivers `event` to a webhook endpoint as Stripe does: the raw JSON, signed; answers the HTTP status. */
  async deliver(url: string, event: object, options: { secret?: string; timestamp?: number } = {}): Promise<number> {
    const payload = JSON.stringify(event);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8', 'Stripe-Signature': this.signature(payload, options.timestamp, options.secret) },
      body: payload,
    });
    await response.arrayBuffer();
    return response.status;
  }

  /**
   * What a customer paying in a Checkout session does: the session completes and a subscription to its line items
   * starts. Answers the `checkout.session.completed` event Stripe would send.
   */
  completeCheckout(sessionId: string) {
    const session = this.checkoutSessions.get(sessionId);
    if (!session) throw new Error(`No checkout session ${sessionId}`);
    const customer = (session.customer as string | null) ?? (this.#create(this.customers, 'customer', 'cus', {}).id as string);
    const subscription = this.#create(this.subscriptions, 'subscription', 'sub', {
      customer,
      status: 'active',
      metadata: session.metadata ?? {},
      items: { object: 'list', has_more: false, url: '/v1/subscription_items', data: ((session.line_items ?? []) as Array<Record<string, string>>).map(item => ({ id: id('si'), object: 'subscription_item', price: { id: item.price, object: 'price' } })) },
    });
    Object.assign(session, { status: 'complete', payment_status: 'paid', customer, subscription: subscription.id, url: null });
    return this.event('checkout.session.completed', session);
  }

  /** An event object of `type` around `object`, as Stripe delivers it. */
  event(type: string, object: object) {
    return { id: id('evt'), object: 'event', api_version: '2026-07-29.dahlia', created: now(), data: { object }, livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, type };
  }

  #randomFailure(): InjectedFailure | undefined {
    const random = this.#random;
    if (!random || random.random() >= random.rate) return undefined;
    return random.failures[Math.floor(random.random() * random.failures.length)];
  }

  async #handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const hosted = /^\/c\/pay\/(cs_[A-Za-z0-9_-]+)$/.exec(url.pathname);
    if (method === 'GET' && hosted) {
      // The hosted Checkout page a browser lands on: enough to show where the user was sent.
      const session = this.checkoutSessions.get(hosted[1]);
      res.writeHead(session ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>Fake Stripe Checkout</title><h1>Checkout ${hosted[1]}</h1><p>${session ? `for ${String(session.client_reference_id)}` : 'No such session'}</p>`);
      return;
    }
    const raw = Buffer.concat(chunks).toString('utf8');
    // v1 is form-encoded (the query string for GET and DELETE), v2 JSON.
    let params: Record<string, FormValue>;
    if (url.pathname.startsWith('/v2/')) params = raw ? JSON.parse(raw) : {};
    else params = decodeForm(method === 'GET' || method === 'DELETE' ? url.search.slice(1) : raw);
    const requestId = id('req');
    const send = (status: number, body: object, headers: Record<string, string> = {}) =>
      res.writeHead(status, { 'Content-Type': 'application/json', 'Request-Id': requestId, ...headers }).end(JSON.stringify(body));

    this.requests.push({ method, path: url.pathname, params });
    const index = this.#failures.findIndex(f => !f.path || f.path === url.pathname);
    const injected = index >= 0 ? this.#failures.splice(index, 1)[0].failure : this.#randomFailure();
    if (injected?.kind === 'timeout') return;
    if (injected?.kind === 'status') {
      const type = injected.status === 429 || injected.status === 409 ? 'invalid_request_error' : 'api_error';
      const code = { 429: 'rate_limit', 409: 'idempotency_key_in_use' }[injected.status as number];
      send(injected.status, { error: { type, ...(code ? { code } : {}), message: `Injected failure (${injected.status})` } });
      return;
    }

    if (req.headers.authorization !== `Bearer ${this.apiKey}`) {
      const key = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      send(401, { error: { type: 'invalid_request_error', message: `Invalid API Key provided: ${key.slice(0, 8)}****${key.slice(-4)}` } });
      return;
    }

    // Idempotent replay: the same key and parameters answer what the first request got, whatever it was.
    const key = method === 'POST' ? (req.headers['idempotency-key'] as string | undefined) : undefined;
    const fingerprint = createHash('sha256').update(`${method} ${url.pathname} ${JSON.stringify(params)}`).digest('hex');
    const saved = key ? this.#idempotency.get(key) : undefined;
    if (saved && saved.fingerprint !== fingerprint) {
      send(400, {
        error: {
          type: 'idempotency_error',
          message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
        },
      });
      return;
    }
    if (saved) {
      if (injected?.kind === 'lost') res.socket?.destroy();
      else send(saved.status, saved.body, { 'Idempotent-Replayed': 'true' });
      return;
    }

    let status = 200;
    let body: object;
    let headers: Record<string, string> = {};
    try {
      body = this.#route(method, url.pathname, params);
    } catch (error) {
      if (!(error instanceof StripeFakeError)) throw error;
      [status, body, headers] = [error.status, { error: error.body }, error.headers];
      // Stripe saves no result for a request that failed validation: it may be retried with the same key.
      if (key && status !== 400) this.#idempotency.set(key, { fingerprint, status, body });
      if (injected?.kind === 'lost') res.socket?.destroy();
      else send(status, body, headers);
      return;
    }
    if (key) this.#idempotency.set(key, { fingerprint, status, body });
    if (injected?.kind === 'lost') res.socket?.destroy();
    else send(status, body, headers);
  }

  #route(method: string, path: string, params: Record<string, FormValue>): object {
    const route = `${method} ${path.replace(/\/(cus|mtr|cs|sub|price)_[A-Za-z0-9_-]+/, '/:id')}`;
    const resourceId = /\/((?:cus|mtr|cs|sub|price)_[A-Za-z0-9_-]+)/.exec(path)?.[1] ?? '';
    switch (route) {
      case 'POST /v1/customers':
        return this.#create(this.customers, 'customer', 'cus', { email: text(params.email) ?? null, name: text(params.name) ?? null, metadata: params.metadata ?? {} });
      case 'GET /v1/customers/:id':
        return this.customers.get(resourceId) ?? this.#missing('customer', resourceId);
      case 'POST /v1/billing/meters':
        return this.#createMeter(params);
      case 'GET /v1/billing/meters':
        return this.#list('/v1/billing/meters', [...this.meters.values()], params);
      case 'GET /v1/billing/meters/:id/event_summaries':
        return this.#summaries(resourceId, params);
      case 'POST /v1/billing/meter_events': {
        const { received: _, ...event } = this.ledger.record(params, 'v1');
        return { ...this.#fixtures['billing.meter_event'], object: 'billing.meter_event', created: now(), livemode: false, ...event };
      }
      case 'POST /v2/billing/meter_events': {
        const event = this.ledger.record(params, 'v2');
        const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
        return { object: 'v2.billing.meter_event', created: iso(event.received), event_name: event.event_name, identifier: event.identifier, livemode: false, payload: event.payload, timestamp: iso(event.timestamp) };
      }
      case 'POST /v1/billing/meter_event_adjustments': {
        const { event_name, identifier } = this.ledger.cancel(params);
        return { ...this.#fixtures['billing.meter_event_adjustment'], object: 'billing.meter_event_adjustment', cancel: { identifier }, event_name, livemode: false, status: 'complete', type: 'cancel' };
      }
      case 'POST /v1/prices':
        return this.#createPrice(params);
      case 'GET /v1/prices/:id':
        return this.prices.get(resourceId) ?? this.#missing('price', resourceId);
      case 'GET /v1/subscriptions/:id':
        return this.subscriptions.get(resourceId) ?? this.#missing('subscription', resourceId);
      case 'POST /v1/checkout/sessions':
        return this.#checkoutSession(params);
      case 'POST /v1/billing_portal/sessions': {
        const customer = this.#customer(params.customer);
        return { ...this.#fixtures['billing_portal.session'], id: id('bps'), created: now(), customer, livemode: false, return_url: text(params.return_url) ?? null, url: `http://127.0.0.1:${this.port}/p/session/${id('test')}` };
      }
      default:
        throw new StripeFakeError(404, { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${path}).` });
    }
  }

  #create(store: Map<string, Record<string, unknown>>, fixture: string, prefix: string, fields: Record<string, unknown>) {
    const object = { ...this.#fixtures[fixture], id: id(prefix), created: now(), livemode: false, ...fields };
    store.set(object.id as string, object);
    return object;
  }

  #missing(kind: string, resourceId: string): never {
    throw StripeFakeError.noSuch(kind, resourceId);
  }

  #customer(value: FormValue | undefined): string {
    const customer = text(value);
    if (!customer) throw StripeFakeError.missing('customer');
    if (!this.customers.has(customer)) this.#missing('customer', customer);
    return customer;
  }

  #createMeter(params: Record<string, FormValue>) {
    for (const param of ['display_name', 'event_name']) if (!text(params[param])) throw StripeFakeError.missing(param);
    const formula = text((params.default_aggregation as Record<string, FormValue> | undefined)?.formula);
    if (!formula) throw StripeFakeError.missing('default_aggregation[formula]');
    const mapping = (params.customer_mapping ?? {}) as Record<string, FormValue>;
    const values = (params.value_settings ?? {}) as Record<string, FormValue>;
    return this.#create(this.meters, 'billing.meter', 'mtr', {
      display_name: params.display_name,
      event_name: params.event_name,
      default_aggregation: { formula },
      customer_mapping: { type: 'by_id', event_payload_key: text(mapping.event_payload_key) ?? 'stripe_customer_id' },
      value_settings: { event_payload_key: text(values.event_payload_key) ?? 'value' },
      event_time_window: text(params.event_time_window) ?? null,
      status: 'active',
      updated: now(),
    });
  }

  #createPrice(params: Record<string, FormValue>) {
    if (!text(params.currency)) throw StripeFakeError.missing('currency');
    const recurring = params.recurring as Record<string, FormValue> | undefined;
    const usageType = text(recurring?.usage_type) ?? 'licensed';
    const meter = text(recurring?.meter);
    // Since the basil API version, a metered price must name its meter.
    if (usageType === 'metered' && !meter) throw StripeFakeError.missing('recurring[meter]');
    if (meter && !this.meters.has(meter)) this.#missing('billing.meter', meter);
    return this.#create(this.prices, 'price', 'price', {
      currency: params.currency,
      unit_amount: text(params.unit_amount) ? Number(params.unit_amount) : null,
      unit_amount_decimal: text(params.unit_amount_decimal) ?? text(params.unit_amount) ?? null,
      product: text(params.product) ?? id('prod'),
      type: recurring ? 'recurring' : 'one_time',
      recurring: recurring
        ? { interval: text(recurring.interval) ?? 'month', interval_count: 1, meter: meter ?? null, trial_period_days: null, usage_type: usageType }
        : null,
    });
  }

  #list(url: string, items: Array<Record<string, unknown>>, params: Record<string, FormValue>) {
    const limit = Number(text(params.limit) ?? 10);
    const after = text(params.starting_after);
    const start = after ? items.findIndex(item => item.id === after) + 1 : 0;
    const data = items.slice(start, start + limit);
    return { object: 'list', url, has_more: start + limit < items.length, data };
  }

  #summaries(meterId: string, params: Record<string, FormValue>) {
    const meter = this.meters.get(meterId) ?? this.#missing('billing.meter', meterId);
    const customer = this.#customer(params.customer);
    const [start, end] = ['start_time', 'end_time'].map(param => {
      const value = Number(text(params[param]));
      if (!text(params[param])) throw StripeFakeError.missing(param);
      if (value % 60) throw StripeFakeError.invalid(param, `${param} must be aligned to a minute.`);
      return value;
    });
    const step = { hour: 3600, day: 86_400 }[text(params.value_grouping_window) ?? ''] ?? end - start;
    const windows: Array<Record<string, unknown>> = [];
    for (let from = start; from < end; from += step) {
      const to = Math.min(from + step, end);
      windows.push({ ...this.#fixtures['billing.meter_event_summary'], id: id('mtrusg'), object: 'billing.meter_event_summary', livemode: false, meter: meterId, start_time: from, end_time: to, aggregated_value: this.ledger.total(meter.event_name as string, customer, from, to) });
    }
    return this.#list(`/v1/billing/meters/${meterId}/event_summaries`, windows, params);
  }

  #checkoutSession(params: Record<string, FormValue>) {
    const mode = text(params.mode);
    if (!mode) throw StripeFakeError.missing('mode');
    const lineItems = params.line_items as Array<Record<string, FormValue>> | undefined;
    if (!lineItems?.length) throw StripeFakeError.missing('line_items');
    const sessionId = id('cs_test');
    return this.#create(this.checkoutSessions, 'checkout.session', 'cs', {
      id: sessionId,
      mode,
      customer: params.customer ? this.#customer(params.customer) : null,
      client_reference_id: text(params.client_reference_id) ?? null,
      success_url: text(params.success_url) ?? null,
      cancel_url: text(params.cancel_url) ?? null,
      status: 'open',
      payment_status: 'unpaid',
      url: `http://127.0.0.1:${this.port}/c/pay/${sessionId}`,
      metadata: params.metadata ?? {},
      line_items: lineItems,
    });
  }
}
