import type { Socket } from 'node:net';
import { DECLINE_ENCRYPTION, encodeErrorResponse, startupParameters } from './protocol';
import { ProxyRefusal } from './ProxyRefusal';
import { connectTarget, endWith, relay, RelayCounters } from './sockets';
import { ClientGone, StartupPacket, StartupReader } from './StartupReader';
import type { PostgresProxyOptions, ProxyConnectionInfo, ProxyLogger, ProxyTarget } from './types';

/** PostgreSQL's authentication_timeout default: how long a client may take to send its startup packet. */
const STARTUP_TIMEOUT_MS = 60_000;

/** What a session needs from the listener it arrived on. */
export interface SessionHost extends RelayCounters {
  readonly listenPort: number;
  readonly resolveTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly logger: ProxyLogger;
  readonly startup?: PostgresProxyOptions['startup'];
  resolve(info: ProxyConnectionInfo, signal: AbortSignal): Promise<ProxyTarget>;
  /** The socket is destroyed when the listener closes. */
  track(socket: Socket): void;
  clientBytes(): void;
  sessionOpened(target: ProxyTarget): void;
  sessionClosed(): void;
  refused(): void;
  /** Where a cancel request goes: the last resolved target while a session is open, else nowhere. */
  cancelTarget(): ProxyTarget | undefined;
}

/**
 * One client connection: reads its first packet, holds it while the server is resolved (and
 * perhaps woken), then relays bytes both ways untouched, or answers with an ErrorResponse.
 */
export class ProxySession {
  readonly #reader: StartupReader;
  /** Aborted when the client leaves, so a resolver can stop waking for nobody. */
  readonly #abort = new AbortController();

  constructor(private readonly client: Socket, private readonly host: SessionHost) {
    this.#reader = new StartupReader(client, STARTUP_TIMEOUT_MS, () => host.clientBytes());
    host.track(client);
    // Resets and writes to a closed peer are normal ends of a session; 'close' follows.
    client.on('error', () => undefined);
    client.once('close', () => this.#abort.abort());
  }

  async run(): Promise<void> {
    let first: StartupPacket | undefined;
    let connected: { target: ProxyTarget; server: Socket };
    try {
      first = await this.#reader.next();
      if (first.kind === 'gssenc') {
        // Like Neon and Xata: no GSSAPI encryption, so the client goes on with SSLRequest or startup.
        this.client.write(DECLINE_ENCRYPTION);
        first = await this.#reader.next();
        if (first.kind === 'gssenc') throw new ProxyRefusal('GSSENCRequest sent twice', '08P01');
      }
      if (first.kind === 'cancel') {
        await this.#forwardCancel(first.bytes);
        return;
      }
      if (this.host.startup) {
        // The server has no TLS: say so for it, and look at the StartupMessage that follows.
        if (first.kind === 'ssl') {
          this.client.write(DECLINE_ENCRYPTION);
          first = await this.#reader.next();
        }
        checkStartup(first, this.host.startup);
      }
      this.#reader.hold();
      const target = await this.#resolve();
      connected = { target, server: await connectTarget(target, this.host.connectTimeoutMs) };
    } catch (error) {
      await this.#refuse(error, first);
      return;
    }
    // From here on the proxy says nothing itself: the bytes may be TLS it cannot speak into.
    await this.#relay(connected.target, connected.server, Buffer.concat([first.bytes, this.#reader.takeRest()]));
  }

  async #resolve(): Promise<ProxyTarget> {
    const info = { listenPort: this.host.listenPort, remoteAddress: this.client.remoteAddress };
    let timer: NodeJS.Timeout | undefined;
    const stopped = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const seconds = Math.round(this.host.resolveTimeoutMs / 100) / 10;
        reject(new ProxyRefusal(`timed out after ${seconds} s waiting for the server of this cluster to start`, '57P03', 'Try connecting again in a moment.'));
        this.#abort.abort();
      }, this.host.resolveTimeoutMs);
      this.#abort.signal.addEventListener('abort', () => reject(new ClientGone('the client left while its server was resolved')));
    });
    try {
      const target = await Promise.race([this.host.resolve(info, this.#abort.signal), stopped]);
      if (this.client.destroyed) throw new ClientGone('the client left while its server was resolved');
      return target;
    } finally {
      clearTimeout(timer);
    }
  }

  async #relay(target: ProxyTarget, server: Socket, held: Buffer): Promise<void> {
    this.host.track(server);
    server.on('error', () => undefined);
    if (this.client.destroyed) {
      // The client left (or its listener closed) while the proxy was connecting.
      server.destroy();
      return;
    }
    this.host.sessionOpened(target);
    try {
      await relay(this.client, server, held, this.host);
    } finally {
      this.host.sessionClosed();
    }
  }

  /** A cancel never wakes a server: with no session open there is no query to cancel. */
  async #forwardCancel(packet: Buffer): Promise<void> {
    const target = this.host.cancelTarget();
    const server = target && (await connectTarget(target, this.host.connectTimeoutMs).catch(() => undefined));
    if (server) {
      this.host.track(server);
      server.on('error', () => undefined);
      server.end(packet);
      // libpq waits for the server to close the cancel connection: that tells it the cancel arrived.
      await new Promise(resolve => server.once('close', resolve));
    }
    // The protocol has no reply to a CancelRequest, not even an error.
    endWith(this.client);
  }

  async #refuse(error: unknown, first: StartupPacket | undefined): Promise<void> {
    if (error instanceof ClientGone || this.client.destroyed) {
      this.client.destroy();
      return;
    }
    const refusal = this.#asRefusal(error);
    this.host.refused();
    if (first?.kind === 'tls') {
      // Nothing plaintext can be said inside a TLS handshake; terminating TLS is left to a later mode.
      this.client.destroy();
      return;
    }
    if (first?.kind === 'ssl') {
      // libpq ignores the text of an ErrorResponse sent in reply to SSLRequest (CVE-2024-10977),
      // so decline SSL and answer the StartupMessage that follows instead.
      this.client.write(DECLINE_ENCRYPTION);
      const next = await this.#reader.next().catch((e: unknown) => e);
      if (next instanceof ClientGone) {
        this.client.destroy();
        return;
      }
    }
    endWith(this.client, encodeErrorResponse(refusal));
  }

  #asRefusal(error: unknown): ProxyRefusal {
    const port = this.host.listenPort;
    if (error instanceof ProxyRefusal) {
      this.host.logger.info(`Refused a client on port ${port}: ${error.message}`);
      return error;
    }
    this.host.logger.warn(`Could not resolve the server for port ${port}`, error);
    return new ProxyRefusal('internal error in the proxy while locating the server of this cluster', 'XX000');
  }
}

/** Refuses what the startup policy does not accept: TLS, anything but a StartupMessage, parameters it rejects. */
function checkStartup(packet: StartupPacket, policy: NonNullable<PostgresProxyOptions['startup']>) {
  if (packet.kind === 'tls') throw new ProxyRefusal('this server does not offer TLS', '08P01');
  if (packet.kind !== 'startup') throw new ProxyRefusal(`unexpected ${packet.kind} packet instead of a StartupMessage`, '08P01');
  policy.check(startupParameters(packet.bytes));
}
