import { ProxyListener } from './ProxyListener';
import type { PostgresProxyOptions, ProxyListenerStats, ProxyListenOptions } from './types';

/**
 * Orochi's wake-on-connect proxy. Each listener is the public address of one cluster: a client
 * connecting to it is held while `resolve` finds (and perhaps wakes) the server, then its bytes
 * are relayed both ways untouched, so the server's own TLS and authentication reach the client.
 */
export class PostgresProxy {
  readonly #options: PostgresProxyOptions;
  readonly #listeners = new Map<number, ProxyListener>();

  constructor(options: PostgresProxyOptions) {
    this.#options = options;
  }

  /** Starts listening (port 0 picks a free one); several listeners may share one proxy. Answers the bound port. */
  async listen(options: ProxyListenOptions): Promise<number> {
    if (options.port !== 0 && this.#listeners.has(options.port)) {
      throw new Error(`The proxy already listens on port ${options.port}`);
    }
    const listener = new ProxyListener(this.#options);
    const port = await listener.listen(options.port, options.host);
    this.#listeners.set(port, listener);
    this.#options.logger?.info(`Proxy listening on port ${port}`);
    return port;
  }

  /** Stops one listener; its open sessions are ended and the port is free when this resolves. */
  async close(port: number): Promise<void> {
    const listener = this.#listeners.get(port);
    if (!listener) return;
    this.#listeners.delete(port);
    await listener.close();
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.#listeners.keys()].map(port => this.close(port)));
  }

  /** The listener's counters, or undefined if the proxy does not listen on that port. */
  stats(port: number): ProxyListenerStats | undefined {
    return this.#listeners.get(port)?.stats();
  }
}
