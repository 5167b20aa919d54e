import type { Socket } from 'node:net';
import { parseStartupFrame, StartupPacketKind } from './protocol';
import { ProxyRefusal } from './ProxyRefusal';

export interface StartupPacket {
  kind: StartupPacketKind;
  bytes: Buffer;
}

/** The client went away (or stayed silent) before sending a whole packet; there is nobody to answer. */
export class ClientGone extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'ClientGone';
  }
}

/** More than a pipelining client sends before the server answers (Neon's driver: startup, password, query). */
const MAX_HELD_BYTES = 1 << 20;

/**
 * Reads the packets a client sends before the server speaks (GSSENCRequest, SSLRequest,
 * StartupMessage, CancelRequest) one at a time, pausing the socket after each one, and holds
 * whatever the client sends while the proxy decides where its bytes go.
 */
export class StartupReader {
  #buffer = Buffer.alloc(0);
  #pending?: { resolve(packet: StartupPacket): void; reject(error: Error): void; timer: NodeJS.Timeout };

  constructor(
    private readonly socket: Socket,
    private readonly timeoutMs: number,
    private readonly onBytes: () => void,
  ) {
    socket.on('data', this.#onData);
    socket.on('end', this.#onGone);
    socket.on('close', this.#onGone);
  }

  /** Rejects with {@link ProxyRefusal} (08P01) for garbage and {@link ClientGone} if the client leaves. */
  next(): Promise<StartupPacket> {
    return new Promise((resolve, reject) => {
      if (this.socket.destroyed) {
        reject(new ClientGone('the client left'));
        return;
      }
      // Like authentication_timeout: a client that never finishes its startup packet is dropped.
      const timer = setTimeout(() => this.#settle(new ClientGone('timed out waiting for a startup packet')), this.timeoutMs);
      this.#pending = { resolve, reject, timer };
      this.socket.resume();
      this.#frame();
    });
  }

  /**
   * Keeps reading while the server is resolved: a paused socket would not notice the client
   * leaving, and the resolver should hear of that. Beyond the bound, bytes wait in the kernel.
   */
  hold(): void {
    this.socket.resume();
  }

  /** Hands the socket over, paused: answers the bytes read after the last packet, to be passed on unchanged. */
  takeRest(): Buffer {
    this.socket.pause();
    this.socket.off('data', this.#onData);
    this.socket.off('end', this.#onGone);
    this.socket.off('close', this.#onGone);
    const rest = this.#buffer;
    this.#buffer = Buffer.alloc(0);
    return rest;
  }

  readonly #onData = (chunk: Buffer) => {
    this.onBytes();
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    if (this.#pending) this.#frame();
    else if (this.#buffer.length > MAX_HELD_BYTES) this.socket.pause();
  };

  readonly #onGone = () => this.#settle(new ClientGone('the client left before sending a complete startup packet'));

  #frame(): void {
    const frame = parseStartupFrame(this.#buffer);
    if (frame.status === 'incomplete') return;
    if (frame.status === 'invalid') {
      this.#settle(new ProxyRefusal(frame.reason, '08P01'));
      return;
    }
    const bytes = this.#buffer.subarray(0, frame.length);
    this.#buffer = this.#buffer.subarray(frame.length);
    this.#settle({ kind: frame.kind, bytes });
  }

  /** Ends the wait of {@link next}; the socket pauses until the proxy knows what to do next. */
  #settle(outcome: StartupPacket | Error): void {
    const pending = this.#pending;
    if (!pending) return;
    this.#pending = undefined;
    clearTimeout(pending.timer);
    this.socket.pause();
    if (outcome instanceof Error) pending.reject(outcome);
    else pending.resolve(outcome);
  }
}
