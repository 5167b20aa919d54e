import { Client, ClientConfig, DatabaseError } from 'pg';
import { startServer, TestServer } from './__testUtils__/postgres';
import { psql } from './__testUtils__/psql';
import { PostgresProxy } from './PostgresProxy';

jest.setTimeout(60_000);

/** A server that requires SCRAM-SHA-256 on TCP and offers TLS: the proxy must pass both through untouched. */
const PASSWORD = 'correct horse battery staple';
let server: TestServer;
let proxy: PostgresProxy;
let port: number;

beforeAll(async () => {
  server = await startServer({ scramPassword: PASSWORD, ssl: true });
  proxy = new PostgresProxy({ resolve: async () => ({ host: '127.0.0.1', port: server.port }) });
  port = await proxy.listen({ port: 0, host: '127.0.0.1' });
}, 120_000);

afterAll(async () => {
  await proxy?.closeAll();
  await server?.stop();
});

async function query(config: Partial<ClientConfig>, text: string) {
  const client = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', ...config });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

const ENCRYPTED = 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()';

it('passes SCRAM-SHA-256 authentication through', async () => {
  expect(await query({ password: PASSWORD, ssl: false }, ENCRYPTED)).toEqual([{ ssl: false }]);
});

it("relays the server's own 28P01 for a wrong password", async () => {
  const error = await query({ password: 'wrong', ssl: false }, 'SELECT 1').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DatabaseError);
  expect((error as DatabaseError).code).toBe('28P01');
  expect((error as DatabaseError).message).toBe('password authentication failed for user "postgres"');
  expect(proxy.stats(port)!.refusedConnections).toBe(0);
});

it("relays the server's TLS end to end: the session is encrypted on the server", async () => {
  expect(await query({ password: PASSWORD, ssl: { rejectUnauthorized: false } }, ENCRYPTED)).toEqual([{ ssl: true }]);
});

it('keeps SCRAM-SHA-256-PLUS channel binding working, since the TLS session is the server’s', async () => {
  const rows = await query({ password: PASSWORD, ssl: { rejectUnauthorized: false }, enableChannelBinding: true }, ENCRYPTED);
  expect(rows).toEqual([{ ssl: true }]);
});

it('serves libpq (psql) with sslmode=require through the proxy', async () => {
  const result = await psql(`host=127.0.0.1 port=${port} user=postgres dbname=postgres sslmode=require password='${PASSWORD}'`, `COPY (${ENCRYPTED}) TO STDOUT`);
  expect(result.stderr).toBe('');
  expect(result.stdout.toString()).toBe('t\n');
});
