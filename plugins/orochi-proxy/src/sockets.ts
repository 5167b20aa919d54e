import { connect, Socket } from 'node:net';
import { ProxyRefusal } from './ProxyRefusal';
import type { ProxyTarget } from './types';

/** Keepalive probes find dead peers, which would otherwise keep a session, and so the cluster, open forever. */
export const KEEPALIVE_DELAY_MS = 60_000;
/** How long a socket the proxy has ended may take to close before it is destroyed. */
const LINGER_MS = 5_000;

/** Connects to the server; failures become a {@link ProxyRefusal} (57P03) that names only the error code. */
export function connectTarget(target: ProxyTarget, timeoutMs: number): Promise<Socket> {
  const { startupParameters: _forTheServer, ...address } = target;
  return new Promise((resolve, reject) => {
    const socket = connect({
      ...address,
      noDelay: true,
      keepAlive: true,
      keepAliveInitialDelay: KEEPALIVE_DELAY_MS,
    });
    // socket.setTimeout only notices idleness; it does not bound the connect itself.
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ProxyRefusal(`timed out connecting to the server of this cluster`));
    }, timeoutMs);
    const onError = (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new ProxyRefusal(
          `the server of this cluster is not accepting connections (${error.code ?? error.message})`,
          '57P03',
          'Try connecting again in a moment.',
        ),
      );
    };
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve(socket);
    });
    socket.once('error', onError);
  });
}

/**
 * Sends `bytes` as the last thing on this connection. The socket keeps reading (and discarding)
 * until the peer closes: closing with unread input makes the kernel send a reset, which can
 * destroy the ErrorResponse before the client reads it.
 */
export function endWith(socket: Socket, bytes?: Buffer): void {
  if (socket.destroyed) return;
  socket.removeAllListeners('data');
  socket.on('data', () => undefined);
  socket.resume();
  if (bytes) socket.end(bytes);
  else socket.end();
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

/** One direction of a relay: `to` is written with backpressure, and ended once `from` is gone. */
function pump(from: Socket, to: Socket, onBytes: (count: number) => void): void {
  from.on('data', (chunk: Buffer) => {
    onBytes(chunk.length);
    if (!to.write(chunk)) from.pause();
  });
  to.on('drain', () => from.resume());
  // 'close' follows 'end' and 'error' alike; ending (not destroying) lets `to` flush what it holds.
  from.once('close', () => endWith(to));
}

export interface RelayCounters {
  fromClient(count: number): void;
  toClient(count: number): void;
}

/** Relays both ways until both sockets are closed; `held` are client bytes read before the server was known. */
export function relay(client: Socket, server: Socket, held: Buffer, counters: RelayCounters): Promise<void> {
  const closed = Promise.all([client, server].map(s => new Promise(r => (s.destroyed ? r(undefined) : s.once('close', r)))));
  counters.fromClient(held.length);
  server.write(held);
  pump(client, server, count => counters.fromClient(count));
  pump(server, client, count => counters.toClient(count));
  client.resume();
  return closed.then(() => undefined);
}
