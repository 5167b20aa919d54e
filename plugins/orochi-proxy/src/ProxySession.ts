import type { Socket } from 'node:net';
import { ACCEPT_SSL, DECLINE_ENCRYPTION, encodeErrorResponse, encodeStartupMessage, startupParameters } from './protocol';
import { ProxyRefusal } from './ProxyRefusal';
import { connectTarget, endWith, relay, RelayCounters } from './sockets';
import { ClientGone, StartupPacket, StartupReader } from './StartupReader';
import type { TlsTermination } from './tlsTermination';
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
  /** With `startup.tls`: the proxy's side of client TLS. */
  readonly tls?: TlsTermination;
  resolve(info: ProxyConnectionInfo, signal: AbortSignal): Promise<ProxyTarget>;
  /** The socket is destroyed when the listener closes. */
  track(socket: Socket): void;
  clientBytes(): void;
  sessionOpened(target: ProxyTarget): void;
  sessionClosed(target: ProxyTarget): void;
  refused(): void;
  /**
   * Where a cancel request goes: every server with an open session. A CancelRequest names no database and no
   * server, only a process and its key, which any other server ignores.
   */
  cancelTargets(): ProxyTarget[];
}

/**
 * One client connection: reads its first packet, holds it while the server is resolved (and
 * perhaps woken), then relays bytes both ways untouched, or answers with an ErrorResponse.
 */
export class ProxySession {
  /** The client's socket, or its TLS session once the proxy terminated TLS. */
  #client: Socket;
  #reader: StartupReader;
  /** The TLS server name (SNI) the client asked for, when the proxy terminated its TLS. */
  #serverName?: string;
  /** The packet read last, until the proxy replied to it: what a refusal must answer first. */
  #unanswered?: StartupPacket;
  /** Aborted when the client leaves, so a resolver can stop waking for nobody. */
  readonly #abort = new AbortController();

  constructor(client: Socket, private readonly host: SessionHost) {
    this.#client = client;
    this.#reader = new StartupReader(client, STARTUP_TIMEOUT_MS, () => host.clientBytes());
    host.track(client);
    // Resets and writes to a closed peer are normal ends of a session; 'close' follows.
    client.on('error', () => undefined);
    client.once('close', () => this.#abort.abort());
  }

  async run(): Promise<void> {
    let connected: { target: ProxyTarget; server: Socket; first: Buffer };
    try {
      let first = await this.#next();
      if (first.kind === 'gssenc') {
        // Like Neon and Xata: no GSSAPI encryption, so the client goes on with SSLRequest or startup.
        this.#answer(DECLINE_ENCRYPTION);
        first = await this.#next();
        if (first.kind === 'gssenc') throw new ProxyRefusal('GSSENCRequest sent twice', '08P01');
      }
      if (this.host.startup) first = await this.#secure(first);
      if (first.kind === 'cancel') {
        await this.#forwardCancel(first.bytes);
        return;
      }
      const parameters = this.host.startup ? checkStartup(first, this.host.startup) : undefined;
      this.#reader.hold();
      const target = await this.#resolve(parameters);
      const bytes = target.startupParameters ? encodeStartupMessage(first.bytes, target.startupParameters) : first.bytes;
      connected = { target, server: await connectTarget(target, this.host.connectTimeoutMs), first: bytes };
    } catch (error) {
      await this.#refuse(error);
      return;
    }
    // From here on the proxy says nothing itself: the bytes may be TLS it cannot speak into.
    await this.#relay(connected.target, connected.server, Buffer.concat([connected.first, this.#reader.takeRest()]));
  }

  async #next(): Promise<StartupPacket> {
    this.#unanswered = await this.#reader.next();
    return this.#unanswered;
  }

  /** Replies to the packet read last (an encryption request) with one byte. */
  #answer(byte: Buffer): void {
    this.#client.write(byte);
    this.#unanswered = undefined;
  }

  /**
   * Where the proxy reads the StartupMessage itself: it terminates the client's TLS when it has a certificate
   * (then reads on inside TLS) and declines it otherwise. Answers the first packet after that.
   */
  async #secure(first: StartupPacket): Promise<StartupPacket> {
    const tls = this.host.tls;
    if (first.kind === 'ssl' && !tls) {
      // The server has no TLS: say so for it, and look at the StartupMessage that follows.
      this.#answer(DECLINE_ENCRYPTION);
      return this.#next();
    }
    if ((first.kind !== 'ssl' && first.kind !== 'tls') || !tls) return first;
    if (first.kind === 'ssl') this.#answer(ACCEPT_SSL);
    const held = first.kind === 'tls' ? Buffer.concat([first.bytes, this.#reader.takeRest()]) : this.#reader.takeRest();
    this.#unanswered = undefined;
    const secure = await tls.accept(this.#client, held, STARTUP_TIMEOUT_MS);
    this.host.track(secure);
    secure.on('error', () => undefined);
    this.#client = secure;
    this.#serverName = typeof secure.servername === 'string' ? secure.servername : undefined;
    this.#reader = new StartupReader(secure, STARTUP_TIMEOUT_MS, () => this.host.clientBytes());
    const next = await this.#next();
    if (next.kind !== 'startup' && next.kind !== 'cancel') throw new ProxyRefusal(`unexpected ${next.kind} packet inside TLS`, '08P01');
    return next;
  }

  async #resolve(parameters: Record<string, string> | undefined): Promise<ProxyTarget> {
    const info: ProxyConnectionInfo = {
      listenPort: this.host.listenPort,
      remoteAddress: this.#client.remoteAddress,
      ...(this.#serverName ? { serverName: this.#serverName } : {}),
      ...(parameters ? { startupParameters: parameters } : {}),
    };
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
      if (this.#client.destroyed) throw new ClientGone('the client left while its server was resolved');
      return target;
    } finally {
      clearTimeout(timer);
    }
  }

  async #relay(target: ProxyTarget, server: Socket, held: Buffer): Promise<void> {
    this.host.track(server);
    server.on('error', () => undefined);
    if (this.#client.destroyed) {
      // The client left (or its listener closed) while the proxy was connecting.
      server.destroy();
      return;
    }
    this.host.sessionOpened(target);
    try {
      await relay(this.#client, server, held, this.host);
    } finally {
      this.host.sessionClosed(target);
    }
  }

  /** A cancel never wakes a server: with no session open there is no query to cancel. */
  async #forwardCancel(packet: Buffer): Promise<void> {
    await Promise.all(this.host.cancelTargets().map(target => this.#sendCancel(target, packet)));
    // The protocol has no reply to a CancelRequest, not even an error.
    endWith(this.#client);
  }

  async #sendCancel(target: ProxyTarget, packet: Buffer): Promise<void> {
    const server = await connectTarget(target, this.host.connectTimeoutMs).catch(() => undefined);
    if (!server) return;
    this.host.track(server);
    server.on('error', () => undefined);
    server.end(packet);
    // libpq waits for the server to close the cancel connection: that tells it the cancel arrived.
    await new Promise(resolve => server.once('close', resolve));
  }

  async #refuse(error: unknown): Promise<void> {
    if (error instanceof ClientGone || this.#client.destroyed) {
      this.#client.destroy();
      return;
    }
    const refusal = this.#asRefusal(error);
    this.host.refused();
    if (this.#unanswered?.kind === 'tls') {
      // Nothing plaintext can be said inside a TLS handshake the proxy does not terminate.
      this.#client.destroy();
      return;
    }
    if (this.#unanswered?.kind === 'ssl') {
      // libpq ignores the text of an ErrorResponse sent in reply to SSLRequest (CVE-2024-10977),
      // so decline SSL and answer the StartupMessage that follows instead.
      this.#answer(DECLINE_ENCRYPTION);
      const next = await this.#reader.next().catch((e: unknown) => e);
      if (next instanceof ClientGone) {
        this.#client.destroy();
        return;
      }
    }
    endWith(this.#client, encodeErrorResponse(refusal));
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
function checkStartup(packet: StartupPacket, policy: NonNullable<PostgresProxyOptions['startup']>): Record<string, string> {
  if (packet.kind === 'tls') throw new ProxyRefusal('this server does not offer TLS', '08P01');
  if (packet.kind !== 'startup') throw new ProxyRefusal(`unexpected ${packet.kind} packet instead of a StartupMessage`, '08P01');
  const parameters = startupParameters(packet.bytes);
  policy.check?.(parameters);
  return parameters;
}
