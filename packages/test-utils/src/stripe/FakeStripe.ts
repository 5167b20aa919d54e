import { createHash, createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { StripeFakeError } from './errors';
import { decodeForm, FormValue } from './formEncoding';

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

/** A meter event as the fake recorded it. */
export interface RecordedMeterEvent {
  event_name: string;
  identifier: string;
  payload: Record<string, string>;
  timestamp: number;
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
  readonly meterEvents = new Map<string, RecordedMeterEvent>();
  readonly checkoutSessions = new Map<string, Record<string, unknown>>();
  readonly #fixtures = loadFixtures();
  readonly #idempotency = new Map<string, Saved>();
  readonly #failures: Array<{ path?: string; failure: InjectedFailure }> = [];
  readonly #sockets = new Set<Socket>();
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

  /** A `Stripe-Signature` header for `payload`, as Stripe signs webhook deliveries. */
  signature(payload: string, timestamp = now(), secret = this.webhookSecret): string {
    const v1 = createHmac('sha256', secret).update(`${timestamp}.${payload}`).digest('hex');
    return `t=${timestamp},v1=${v1}`;
  }

  /** An event object of `type` around `object`, as Stripe delivers it. */
  event(type: string, object: object) {
    return { id: id('evt'), object: 'event', api_version: '2026-07-29.dahlia', created: now(), data: { object }, livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, type };
  }

  async #handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const params = decodeForm(method === 'GET' || method === 'DELETE' ? url.search.slice(1) : Buffer.concat(chunks).toString('utf8'));
    const requestId = id('req');
    const send = (status: number, body: object, headers: Record<string, string> = {}) =>
      res.writeHead(status, { 'Content-Type': 'application/json', 'Request-Id': requestId, ...headers }).end(JSON.stringify(body));

    const index = this.#failures.findIndex(f => !f.path || f.path === url.pathname);
    const injected = index >= 0 ? this.#failures.splice(index, 1)[0].failure : undefined;
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
    const route = `${method} ${path.replace(/\/(cus|mtr|cs)_[A-Za-z0-9_-]+/, '/:id')}`;
    const resourceId = /\/((?:cus|mtr|cs)_[A-Za-z0-9_-]+)/.exec(path)?.[1] ?? '';
    switch (route) {
      case 'POST /v1/customers':
        return this.#create(this.customers, 'customer', 'cus', { email: text(params.email) ?? null, name: text(params.name) ?? null, metadata: params.metadata ?? {} });
      case 'GET /v1/customers/:id':
        return this.customers.get(resourceId) ?? this.#missing('customer', resourceId);
      case 'POST /v1/billing/meters':
        return this.#createMeter(params);
      case 'GET /v1/billing/meters':
        return this.#list('/v1/billing/meters', [...this.meters.values()], params);
      case 'POST /v1/billing/meter_events':
        return this.#meterEvent(params);
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

  #list(url: string, items: Array<Record<string, unknown>>, params: Record<string, FormValue>) {
    const limit = Number(text(params.limit) ?? 10);
    const after = text(params.starting_after);
    const start = after ? items.findIndex(item => item.id === after) + 1 : 0;
    const data = items.slice(start, start + limit);
    return { object: 'list', url, has_more: start + limit < items.length, data };
  }

  #meterEvent(params: Record<string, FormValue>) {
    const eventName = text(params.event_name);
    if (!eventName) throw StripeFakeError.missing('event_name');
    const payload = params.payload as Record<string, string> | undefined;
    if (!payload || typeof payload !== 'object') throw StripeFakeError.missing('payload');
    if (!/^-?\d+$/.test(payload.value ?? '')) throw StripeFakeError.invalid('payload[value]', 'The value must be a whole number.');
    const timestamp = Number(text(params.timestamp) ?? now());
    if (timestamp < now() - 35 * 86_400 || timestamp > now() + 300) {
      throw StripeFakeError.invalid('timestamp', 'Timestamp must be within the past 35 calendar days and no more than 5 minutes in the future.');
    }
    const identifier = text(params.identifier) ?? id('mev');
    if (this.meterEvents.has(identifier)) {
      throw new StripeFakeError(400, { type: 'invalid_request_error', message: `An event already exists with identifier ${identifier}.` }, { 'Stripe-Should-Retry': 'false' });
    }
    const event = { event_name: eventName, identifier, payload, timestamp };
    this.meterEvents.set(identifier, event);
    return { ...this.#fixtures['billing.meter_event'], object: 'billing.meter_event', created: now(), livemode: false, ...event };
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
    });
  }
}
