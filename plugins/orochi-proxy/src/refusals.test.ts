import { Client, DatabaseError } from 'pg';
import { freePort } from './__testUtils__/postgres';
import { psql } from './__testUtils__/psql';
import { waitFor } from './__testUtils__/waitFor';
import { errorFields, RawClient, sslRequest, startupMessage } from './__testUtils__/wire';
import { PostgresProxy } from './PostgresProxy';
import { ProxyRefusal } from './ProxyRefusal';
import type { PostgresProxyOptions } from './types';

jest.setTimeout(30_000);

const HIBERNATED = 'cluster payments-db is hibernated by a user; wake it in Orochi';
const refuseHibernated = async (): Promise<never> => {
  throw new ProxyRefusal(HIBERNATED, '57P01', 'Open the cluster in Orochi and press Wake.');
};

let proxy: PostgresProxy | undefined;
const warnings: string[] = [];

async function listen(options: Partial<PostgresProxyOptions>): Promise<number> {
  proxy = new PostgresProxy({
    resolve: refuseHibernated,
    logger: { info: () => undefined, warn: message => warnings.push(message) },
    ...options,
  });
  return proxy.listen({ port: 0, host: '127.0.0.1' });
}

afterEach(async () => {
  await proxy?.closeAll();
  proxy = undefined;
  warnings.length = 0;
});

/** Connects with node-postgres and answers the error it reports. */
async function connectError(port: number): Promise<DatabaseError> {
  const client = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  const error = await client.connect().then(
    () => undefined,
    (e: unknown) => e,
  );
  await client.end().catch(() => undefined);
  if (!(error instanceof DatabaseError)) throw new Error(`expected a DatabaseError, got ${String(error)}`);
  return error;
}

it("sends a ProxyRefusal's message, SQLSTATE and hint as a FATAL ErrorResponse", async () => {
  const port = await listen({});
  const error = await connectError(port);
  expect(error.message).toBe(HIBERNATED);
  expect(error.code).toBe('57P01');
  expect(error.severity).toBe('FATAL');
  expect(error.hint).toBe('Open the cluster in Orochi and press Wake.');
  expect(proxy!.stats(port)).toMatchObject({ refusedConnections: 1, totalSessions: 0 });
});

it('answers a resolver that never returns after resolveTimeoutMs, and aborts its signal', async () => {
  let signal: AbortSignal | undefined;
  const port = await listen({
    resolveTimeoutMs: 300,
    resolve: (_info, s) => {
      signal = s;
      return new Promise(() => undefined);
    },
  });
  const started = Date.now();
  const error = await connectError(port);
  expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  expect(error.code).toBe('57P03');
  expect(error.message).toBe('timed out after 0.3 s waiting for the server of this cluster to start');
  expect(signal?.aborted).toBe(true);
});

it('answers with an ErrorResponse when the resolved target refuses the connection', async () => {
  const closedPort = await freePort();
  const port = await listen({ resolve: async () => ({ host: '127.0.0.1', port: closedPort }) });
  const error = await connectError(port);
  expect(error.code).toBe('57P03');
  expect(error.message).toBe('the server of this cluster is not accepting connections (ECONNREFUSED)');
});

it('answers an unexpected resolver error with XX000 and logs it, without showing its text', async () => {
  const port = await listen({
    resolve: async () => {
      throw new Error('kubeconfig secret at /etc/orochi is unreadable');
    },
  });
  const error = await connectError(port);
  expect(error.code).toBe('XX000');
  expect(error.message).not.toContain('kubeconfig');
  expect(warnings).toEqual([`Could not resolve the server for port ${port}`]);
});

it('declines SSL on the refusal path and answers the StartupMessage that follows', async () => {
  const port = await listen({});
  const raw = await RawClient.connect(port);
  raw.send(sslRequest());
  expect((await raw.read(1)).toString()).toBe('N');
  raw.send(startupMessage({ user: 'postgres', database: 'postgres' }));
  const reply = await raw.readMessage();
  expect(reply.type).toBe('E');
  expect(errorFields(reply.body)).toEqual({ S: 'FATAL', V: 'FATAL', C: '57P01', M: HIBERNATED, H: 'Open the cluster in Orochi and press Wake.' });
  expect((await raw.closed()).length).toBe(0);
});

it("shows libpq's sslmode=prefer the message, while sslmode=require reports that SSL was refused", async () => {
  const port = await listen({});
  const prefer = await psql(`host=127.0.0.1 port=${port} user=postgres sslmode=prefer`, 'SELECT 1');
  expect(prefer.code).not.toBe(0);
  expect(prefer.stderr).toContain(`FATAL:  ${HIBERNATED}`);
  const require = await psql(`host=127.0.0.1 port=${port} user=postgres sslmode=require`, 'SELECT 1');
  expect(require.code).not.toBe(0);
  expect(require.stderr).toContain('server does not support SSL');
});

it('answers garbage with 08P01 without calling the resolver', async () => {
  const resolve = jest.fn(refuseHibernated);
  const port = await listen({ resolve });
  const raw = await RawClient.connect(port);
  raw.send(Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'));
  const reply = await raw.readMessage();
  expect(reply.type).toBe('E');
  expect(errorFields(reply.body)).toMatchObject({ C: '08P01', M: 'invalid length of startup packet (1195725856)' });
  await raw.closed();
  expect(resolve).not.toHaveBeenCalled();
});

it('aborts the resolver when the client leaves, and frees the session', async () => {
  let signal: AbortSignal | undefined;
  const port = await listen({
    resolve: (_info, s) => {
      signal = s;
      return new Promise(() => undefined);
    },
  });
  const raw = await RawClient.connect(port);
  raw.send(startupMessage({ user: 'postgres' }));
  await waitFor(() => signal, 5000, 'the resolver to be called');
  raw.destroy();
  await waitFor(() => signal!.aborted, 5000, 'the signal to be aborted');
  expect(proxy!.stats(port)).toMatchObject({ openSessions: 0, refusedConnections: 0 });
});

it('closes a direct TLS connection on refusal, since it cannot answer inside a TLS handshake', async () => {
  const port = await listen({});
  const raw = await RawClient.connect(port);
  raw.send(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x20]));
  expect((await raw.closed()).length).toBe(0);
});
