import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { Client, DatabaseError } from 'pg';
import { selfSignedCertificate } from '@orochi/test-utils';
import { startServer, TestServer } from './__testUtils__/postgres';
import { psql } from './__testUtils__/psql';
import { startupMessage } from './__testUtils__/wire';
import { PostgresProxy } from './PostgresProxy';
import { ProxyRefusal } from './ProxyRefusal';
import type { ProxyConnectionInfo } from './types';

jest.setTimeout(60_000);

/**
 * One address in front of many servers, as the standalone proxy runs it: the proxy terminates TLS with its own
 * certificate and reads the StartupMessage, so it routes by the TLS server name or, without TLS, by the database.
 */
const DOMAIN = 'db.orochi.test';
let directory: string;
let certificate: string;
let server: TestServer;
let proxy: PostgresProxy;
let port: number;
let calls: ProxyConnectionInfo[];

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'orochi-proxy-tls-'));
  const files = await selfSignedCertificate(directory, [`*.${DOMAIN}`]);
  certificate = readFileSync(files.certificate, 'utf8');
  server = await startServer();
  proxy = new PostgresProxy({
    startup: { tls: { key: readFileSync(files.key), cert: certificate } },
    resolve: async info => {
      calls.push(info);
      const cluster = info.serverName?.slice(0, -`.${DOMAIN}`.length) ?? info.startupParameters?.database;
      if (cluster === 'hibernated-db') throw new ProxyRefusal('cluster hibernated-db is hibernated by a user', '57P03');
      // The server's database is its own: the name of the cluster only chose the server.
      return { host: '127.0.0.1', port: server.port, startupParameters: { ...info.startupParameters, database: 'postgres' } };
    },
  });
  port = await proxy.listen({ port: 0, host: '127.0.0.1' });
}, 120_000);

beforeEach(() => {
  calls = [];
});

afterAll(async () => {
  await proxy?.closeAll();
  await server?.stop();
  rmSync(directory, { recursive: true, force: true });
});

async function query(client: Client, text: string) {
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

/** Encrypted between client and proxy, and plaintext from the proxy on: the proxy holds the TLS session. */
const SESSION = 'SELECT current_database() AS database, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()';

it('terminates TLS with its certificate and routes by the server name the client asked for', async () => {
  const client = new Client({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    database: 'app',
    ssl: { ca: certificate, servername: `payments-db.${DOMAIN}` },
  });
  expect(await query(client, SESSION)).toEqual([{ database: 'postgres', ssl: false }]);
  expect(calls).toEqual([
    expect.objectContaining({ serverName: `payments-db.${DOMAIN}`, startupParameters: expect.objectContaining({ user: 'postgres', database: 'app' }) }),
  ]);
});

it('serves libpq with sslmode=verify-full against the proxy certificate', async () => {
  const caFile = join(directory, 'server.crt');
  const result = await psql(
    `host=orders-db.${DOMAIN} hostaddr=127.0.0.1 port=${port} user=postgres dbname=app sslmode=verify-full sslrootcert=${caFile}`,
    `COPY (${SESSION}) TO STDOUT`,
  );
  expect(result.stderr).toBe('');
  expect(result.stdout.toString()).toBe('postgres\tf\n');
  expect(calls.map(c => c.serverName)).toEqual([`orders-db.${DOMAIN}`]);
});

it('routes a client without TLS by the database of its StartupMessage', async () => {
  const client = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'payments-db', ssl: false });
  expect(await query(client, SESSION)).toEqual([{ database: 'postgres', ssl: false }]);
  expect(calls).toEqual([expect.not.objectContaining({ serverName: expect.anything() })]);
  expect(calls[0].startupParameters).toMatchObject({ database: 'payments-db' });
});

it('says why it refuses inside the TLS session', async () => {
  const client = new Client({ host: '127.0.0.1', port, user: 'postgres', ssl: { ca: certificate, servername: `hibernated-db.${DOMAIN}` } });
  const error = await client.connect().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DatabaseError);
  expect((error as DatabaseError).message).toBe('cluster hibernated-db is hibernated by a user');
  expect(proxy.stats(port)!.refusedConnections).toBeGreaterThanOrEqual(1);
});

it('accepts direct TLS (sslnegotiation=direct) with ALPN postgresql', async () => {
  const socket = tlsConnect({ host: '127.0.0.1', port, ca: certificate, servername: `payments-db.${DOMAIN}`, ALPNProtocols: ['postgresql'] });
  await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
  expect(socket.alpnProtocol).toBe('postgresql');
  socket.write(startupMessage({ user: 'postgres', database: 'app' }));
  // The server's first message: AuthenticationOk ('R', 0), since it trusts the proxy's connection.
  const first = await new Promise<Buffer>(resolve => socket.once('data', resolve));
  socket.destroy();
  expect(String.fromCharCode(first[0])).toBe('R');
  expect(first.readUInt32BE(5)).toBe(0);
  expect(calls).toEqual([expect.objectContaining({ serverName: `payments-db.${DOMAIN}` })]);
});
