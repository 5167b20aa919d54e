import { connect, Socket } from 'node:net';

/** A client speaking the wire protocol byte by byte, for what `pg` cannot do (SSLRequest with fallback, garbage). */
export class RawClient {
  #buffer = Buffer.alloc(0);
  #ended = false;
  #waiters: Array<() => void> = [];

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#wake();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.#ended = true;
      this.#wake();
    });
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1' });
      socket.once('error', reject);
      socket.once('connect', () => resolve(new RawClient(socket)));
    });
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** The next `count` bytes; rejects if the connection closes first. */
  async read(count: number): Promise<Buffer> {
    while (this.#buffer.length < count) {
      if (this.#ended) throw new Error(`connection closed after ${this.#buffer.length} of ${count} bytes`);
      await new Promise<void>(resolve => this.#waiters.push(resolve));
    }
    const bytes = this.#buffer.subarray(0, count);
    this.#buffer = this.#buffer.subarray(count);
    return bytes;
  }

  /** The next backend message: type byte and body. */
  async readMessage(): Promise<{ type: string; body: Buffer }> {
    const header = await this.read(5);
    return { type: String.fromCharCode(header[0]), body: await this.read(header.readUInt32BE(1) - 4) };
  }

  /** Resolves once the server side has closed, with whatever bytes arrived unread. */
  async closed(): Promise<Buffer> {
    while (!this.#ended) await new Promise<void>(resolve => this.#waiters.push(resolve));
    return this.#buffer;
  }

  destroy(): void {
    this.socket.destroy();
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }
}

function packet(code: number, body: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + body.length, 0);
  header.writeUInt32BE(code, 4);
  return Buffer.concat([header, body]);
}

export const sslRequest = (): Buffer => packet(80877103);
export const gssencRequest = (): Buffer => packet(80877104);

export function startupMessage(parameters: Record<string, string>): Buffer {
  const pairs = Object.entries(parameters).map(([key, value]) => `${key}\0${value}\0`);
  return packet(196608, Buffer.from(`${pairs.join('')}\0`));
}

export function cancelRequest(processId: number, secretKey: number): Buffer {
  const body = Buffer.alloc(8);
  body.writeInt32BE(processId, 0);
  body.writeInt32BE(secretKey, 4);
  return packet(80877102, body);
}

/** The fields of an ErrorResponse body, keyed by their type byte (S, V, C, M, H, …). */
export function errorFields(body: Buffer): Record<string, string> {
  const fields: Record<string, string> = {};
  let offset = 0;
  while (offset < body.length && body[offset] !== 0) {
    const end = body.indexOf(0, offset + 1);
    fields[String.fromCharCode(body[offset])] = body.subarray(offset + 1, end).toString('utf8');
    offset = end + 1;
  }
  return fields;
}
