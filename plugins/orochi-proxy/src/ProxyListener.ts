import { createServer, Server, Socket } from 'node:net';
import { ProxySession, SessionHost } from './ProxySession';
import { KEEPALIVE_DELAY_MS } from './sockets';
import { TlsTermination } from './tlsTermination';
import type { PostgresProxyOptions, ProxyConnectionInfo, ProxyListenerStats, ProxyLogger, ProxyTarget } from './types';

const DEFAULT_RESOLVE_TIMEOUT_MS = 30_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** A server's address, what its sessions have in common. */
const addressOf = (target: ProxyTarget) => ('path' in target ? target.path : `${target.host}:${target.port}`);
const SILENT: ProxyLogger = { info: () => undefined, warn: () => undefined };

/** One listening port (one cluster): accepts clients, runs a session for each, and keeps the counters. */
export class ProxyListener implements SessionHost {
  readonly resolveTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly logger: ProxyLogger;
  readonly startup?: PostgresProxyOptions['startup'];
  readonly tls?: TlsTermination;
  readonly #options: PostgresProxyOptions;
  readonly #server: Server;
  /** Client and server sockets alike, so that closing the listener ends every session. */
  readonly #sockets = new Set<Socket>();
  /** The servers of the open sessions, by address, with how many sessions each has. */
  readonly #openTargets = new Map<string, { target: ProxyTarget; sessions: number }>();
  #port = 0;
  /** Epoch milliseconds, kept as a number: it is set for every chunk a client sends. */
  #lastClientByteAt?: number;
  readonly #stats: Omit<ProxyListenerStats, 'lastClientByteAt'> = {
    openSessions: 0,
    totalSessions: 0,
    refusedConnections: 0,
    bytesFromClients: 0,
    bytesToClients: 0,
  };

  constructor(options: PostgresProxyOptions) {
    this.#options = options;
    this.resolveTimeoutMs = options.resolveTimeoutMs ?? DEFAULT_RESOLVE_TIMEOUT_MS;
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.logger = options.logger ?? SILENT;
    this.startup = options.startup;
    this.tls = options.startup?.tls ? new TlsTermination(options.startup.tls) : undefined;
    // Nagle's algorithm would delay the small packets of the protocol's request-reply exchanges.
    this.#server = createServer({ noDelay: true, keepAlive: true, keepAliveInitialDelay: KEEPALIVE_DELAY_MS });
    this.#server.on('connection', socket => {
      new ProxySession(socket, this).run().catch(error => {
        this.logger.warn(`Proxy session on port ${this.#port} failed`, error);
        socket.destroy();
      });
    });
  }

  get listenPort(): number {
    return this.#port;
  }

  /** Answers the bound port, which is the one asked for unless that was 0. */
  async listen(port: number, host?: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen({ port, host }, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    if (this.#options.keepProcessAlive === false) this.#server.unref();
    const address = this.#server.address();
    this.#port = typeof address === 'object' && address ? address.port : port;
    this.#server.on('error', error => this.logger.warn(`Proxy listener on port ${this.#port} failed`, error));
    return this.#port;
  }

  /** Stops accepting and ends every open session; resolves once the port is free. */
  async close(): Promise<void> {
    const closed = new Promise<void>(resolve => this.#server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }

  stats(): ProxyListenerStats {
    const last = this.#lastClientByteAt;
    return { ...this.#stats, ...(last === undefined ? {} : { lastClientByteAt: new Date(last) }) };
  }

  resolve(info: ProxyConnectionInfo, signal: AbortSignal): Promise<ProxyTarget> {
    return this.#options.resolve(info, signal);
  }

  track(socket: Socket): void {
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
  }

  clientBytes(): void {
    this.#lastClientByteAt = Date.now();
  }

  fromClient(count: number): void {
    this.#stats.bytesFromClients += count;
    this.clientBytes();
  }

  toClient(count: number): void {
    this.#stats.bytesToClients += count;
  }

  sessionOpened(target: ProxyTarget): void {
    const key = addressOf(target);
    const open = this.#openTargets.get(key) ?? { target, sessions: 0 };
    open.sessions += 1;
    this.#openTargets.set(key, open);
    this.#stats.openSessions += 1;
    this.#stats.totalSessions += 1;
  }

  sessionClosed(target: ProxyTarget): void {
    const key = addressOf(target);
    const open = this.#openTargets.get(key);
    if (open && --open.sessions === 0) this.#openTargets.delete(key);
    this.#stats.openSessions -= 1;
  }

  refused(): void {
    this.#stats.refusedConnections += 1;
  }

  cancelTargets(): ProxyTarget[] {
    return [...this.#openTargets.values()].map(open => open.target);
  }
}
