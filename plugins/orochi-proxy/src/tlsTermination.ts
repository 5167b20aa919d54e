import type { Socket } from 'node:net';
import { createSecureContext, SecureContext, SecureContextOptions, TLSSocket } from 'node:tls';
import { ClientGone } from './StartupReader';

/** What PostgreSQL 17 clients ask for with sslnegotiation=direct, and what libpq offers after SSLRequest too. */
const POSTGRES_ALPN = 'postgresql';

/** The proxy's side of client TLS: one secure context, made once from the configured certificate. */
export class TlsTermination {
  readonly #context: SecureContext;

  constructor(options: SecureContextOptions) {
    this.#context = createSecureContext(options);
  }

  /**
   * Runs the server side of the handshake on `socket`, `held` being the handshake bytes already read from it
   * (a direct TLS ClientHello). Resolves once the session is secure; a failed handshake means the client went.
   */
  accept(socket: Socket, held: Buffer, timeoutMs: number): Promise<TLSSocket> {
    // TLSSocket first consumes what the socket has buffered, so the ClientHello read already is not lost.
    if (held.length) socket.unshift(held);
    const secure = new TLSSocket(socket, { isServer: true, secureContext: this.#context, ALPNProtocols: [POSTGRES_ALPN] });
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined = undefined;
      const fail = (error: Error) => {
        clearTimeout(timer);
        secure.destroy();
        reject(error instanceof ClientGone ? error : new ClientGone(`TLS handshake failed: ${error.message}`));
      };
      timer = setTimeout(() => fail(new ClientGone('timed out in the TLS handshake')), timeoutMs);
      secure.once('error', fail);
      secure.once('secure', () => {
        clearTimeout(timer);
        secure.off('error', fail);
        secure.pause();
        resolve(secure);
      });
    });
  }
}
