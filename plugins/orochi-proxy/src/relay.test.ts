import { createHash } from 'node:crypto';
import { AddressInfo, connect, createServer, Server, Socket } from 'node:net';
import { waitFor } from './__testUtils__/waitFor';
import { RawClient } from './__testUtils__/wire';
import { PostgresProxy } from './PostgresProxy';

jest.setTimeout(30_000);

/** A stand-in server that records what it receives and runs `onConnection` for each connection. */
let fake: Server;
let received: Buffer;
let onConnection: (socket: Socket) => void;
let proxy: PostgresProxy;
let port: number;

beforeEach(async () => {
  received = Buffer.alloc(0);
  onConnection = () => undefined;
  fake = createServer(socket => {
    socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  await new Promise<void>(resolve => fake.listen(0, '127.0.0.1', resolve));
  const fakePort = (fake.address() as AddressInfo).port;
  proxy = new PostgresProxy({ resolve: async () => ({ host: '127.0.0.1', port: fakePort }) });
  port = await proxy.listen({ port: 0, host: '127.0.0.1' });
});

afterEach(async () => {
  await proxy.closeAll();
  await new Promise(resolve => fake.close(resolve));
});

it('relays a direct TLS ClientHello (first byte 0x16) to the server untouched', async () => {
  const hello = Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x00, 0x20]), Buffer.alloc(32, 7)]);
  const raw = await RawClient.connect(port);
  raw.send(hello);
  await waitFor(() => received.length >= hello.length, 5000, 'the ClientHello to arrive');
  expect(received.equals(hello)).toBe(true);
  raw.destroy();
});

it('stops reading from the server while the client does not read, and then delivers everything', async () => {
  const total = 64 * 1024 * 1024;
  const payload = Buffer.alloc(total);
  for (let i = 0; i < total; i += 4) payload.writeUInt32BE(i, i);
  onConnection = socket => socket.write(payload);

  const client = connect({ port, host: '127.0.0.1' });
  await new Promise(resolve => client.once('connect', resolve));
  client.pause();
  client.write(Buffer.from([0x16, 0x03, 0x01])); // any first packet will do for a relay
  // Wait until the relay has stalled: the count stays put while the client reads nothing.
  let last = -1;
  let unchangedSince = Date.now();
  await waitFor(() => {
    const now = proxy.stats(port)!.bytesToClients;
    if (now !== last) {
      last = now;
      unchangedSince = Date.now();
    }
    return now > 0 && Date.now() - unchangedSince > 500;
  }, 20_000, 'the relay to stall');
  // Kernel buffers on both sides hold a few MB; without backpressure the proxy would take all 64 MB.
  expect(last).toBeLessThan(total / 2);

  const chunks: Buffer[] = [];
  let length = 0;
  client.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    length += chunk.length;
  });
  client.resume();
  await waitFor(() => length >= total, 20_000, 'all bytes to arrive');
  const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  expect(digest(Buffer.concat(chunks))).toBe(digest(payload));
  client.destroy();
});
