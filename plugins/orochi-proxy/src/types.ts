import type { SecureContextOptions } from 'node:tls';

/** Where the server for a client is: a TCP address or a unix socket path. */
export type ProxyTarget = ({ host: string; port: number } | { path: string }) & {
  /**
   * With `startup`, the parameters the server gets in the client's StartupMessage instead of the client's own
   * (the proxy routes by a database name that names the cluster, say, and the server wants its own).
   */
  startupParameters?: Record<string, string>;
};

/** What the proxy knows about a client when it asks where its server is. */
export interface ProxyConnectionInfo {
  /** The port of the listener the client connected to, i.e. which cluster it wants. */
  listenPort: number;
  remoteAddress?: string;
  /** With `startup.tls`: the TLS server name (SNI) a client sent that used TLS. */
  serverName?: string;
  /** With `startup`: the parameters of the client's StartupMessage (user, database, options, ...). */
  startupParameters?: Record<string, string>;
}

export interface ProxyLogger {
  info(message: string): void;
  warn(message: string, error?: unknown): void;
}

export interface PostgresProxyOptions {
  /**
   * Where the server for this listener is; may wake it first and should answer only once the
   * server accepts connections. Throw {@link ProxyRefusal} to give the client a clear error.
   */
  resolve(info: ProxyConnectionInfo, signal: AbortSignal): Promise<ProxyTarget>;
  /** How long a client is held while resolve runs before it gets an ErrorResponse (default 30 s). */
  resolveTimeoutMs?: number;
  /** How long connecting to the resolved target may take (default 10 s). */
  connectTimeoutMs?: number;
  logger?: ProxyLogger;
  /**
   * The proxy reads each client's StartupMessage itself, before anything reaches the server, and gives its
   * parameters to `resolve`. For servers without TLS that trust some local connections, which the proxy must
   * not extend to its clients, `check` may refuse it (by throwing {@link ProxyRefusal}); for one address in
   * front of many servers, `tls` routes by the name a client asked for.
   */
  startup?: {
    check?(parameters: Record<string, string>): void;
    /**
     * The proxy terminates TLS with this certificate (after SSLRequest, or direct TLS with ALPN `postgresql`),
     * so `resolve` learns the client's TLS server name; without it the proxy declines TLS itself.
     */
    tls?: SecureContextOptions;
  };
  /** Whether listening keeps the Node.js process alive (default true); an embedding server may say no. */
  keepProcessAlive?: boolean;
}

export interface ProxyListenOptions {
  port: number;
  host?: string;
}

/** Counters of one listener since it started listening. */
export interface ProxyListenerStats {
  /** Client sessions relayed to a server right now. */
  openSessions: number;
  /** Client sessions relayed to a server since the listener started. */
  totalSessions: number;
  /** Connections the proxy answered with its own ErrorResponse. */
  refusedConnections: number;
  /** Bytes relayed from clients to servers, and from servers to clients. */
  bytesFromClients: number;
  bytesToClients: number;
  /** When a client last sent a byte, connection attempts included; undefined if none has. */
  lastClientByteAt?: Date;
}
