import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Client } from 'pg';
import { startServer, TestServer } from './__testUtils__/postgres';
import { psql } from './__testUtils__/psql';
import { waitFor } from './__testUtils__/waitFor';
import { cancelRequest, gssencRequest, RawClient, sslRequest, startupMessage } from './__testUtils__/wire';
import { ProxyRefusal } from './ProxyRefusal';
import { PostgresProxy } from './PostgresProxy';
import type { ProxyConnectionInfo, ProxyTarget } from './types';

jest.setTimeout(60_000);

let server: TestServer;
let proxy: PostgresProxy;
let resolveCalls: ProxyConnectionInfo[];
/** What the next connections' resolver does; a test replaces it to simulate a wake. */
let resolver: () => Promise<ProxyTarget>;

const target = (): ProxyTarget => ({ host: '127.0.0.1', port: server.port });
const client = (port: number) => new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });

beforeAll(async () => {
  server = await startServer();
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

beforeEach(() => {
  resolveCalls = [];
  resolver = async () => target();
  proxy = new PostgresProxy({
    resolve: info => {
      resolveCalls.push(info);
      return resolver();
    },
  });
});

afterEach(async () => {
  await proxy.closeAll();
});

const listen = () => proxy.listen({ port: 0, host: '127.0.0.1' });

/** Runs `fn` with a connected client and always ends it, so a failing test leaves no session behind. */
async function withClient<T>(port: number, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = client(port);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

it('relays a query and asks the resolver once per connection, with the listen port', async () => {
  const port = await listen();
  const rows = await withClient(port, async c => (await c.query('SELECT 1 + 1 AS two')).rows);
  expect(rows).toEqual([{ two: 2 }]);
  await withClient(port, c => c.query('SELECT 1'));
  expect(resolveCalls).toEqual([
    { listenPort: port, remoteAddress: '127.0.0.1' },
    { listenPort: port, remoteAddress: '127.0.0.1' },
  ]);
});

it('relays to a unix socket target', async () => {
  const port = await listen();
  resolver = async () => ({ path: server.socketPath });
  const rows = await withClient(port, async c => (await c.query("SELECT coalesce(inet_server_addr()::text, 'unix') AS via")).rows);
  expect(rows).toEqual([{ via: 'unix' }]);
});

it('holds a client while the resolver wakes the server, then connects it', async () => {
  const port = await listen();
  resolver = () => new Promise(resolve => setTimeout(() => resolve(target()), 1000));
  const started = Date.now();
  const rows = await withClient(port, async c => (await c.query("SELECT 'awake' AS state")).rows);
  expect(rows).toEqual([{ state: 'awake' }]);
  expect(Date.now() - started).toBeGreaterThanOrEqual(900);
});

it('returns a long query with a large result intact', async () => {
  const port = await listen();
  const { rows } = await withClient(port, c => c.query("SELECT pg_sleep(2), repeat('x', 5000000) AS big"));
  expect(rows[0].big).toHaveLength(5_000_000);
  expect(rows[0].big).toBe('x'.repeat(5_000_000));
});

it('round-trips several MB through COPY FROM STDIN and COPY TO STDOUT (libpq psql)', async () => {
  const port = await listen();
  const lines = Array.from({ length: 40_000 }, (_, i) => `${i}\t${randomBytes(50).toString('hex')}\n`);
  const input = Buffer.from(lines.join(''));
  expect(input.length).toBeGreaterThan(4_000_000);
  const conninfo = `host=127.0.0.1 port=${port} user=postgres dbname=postgres sslmode=disable`;
  await withClient(port, c => c.query('DROP TABLE IF EXISTS copied; CREATE TABLE copied (id int PRIMARY KEY, data text)'));

  const copyIn = await psql(conninfo, 'COPY copied FROM STDIN', input);
  expect(copyIn.stderr).toBe('');
  expect(copyIn.code).toBe(0);
  // Checked on the server directly, not through the proxy.
  const direct = client(server.port);
  await direct.connect();
  try {
    const { rows } = await direct.query("SELECT md5(string_agg(id || E'\\t' || data || E'\\n', '' ORDER BY id)) AS md5 FROM copied");
    expect(rows[0].md5).toBe(createHash('md5').update(input).digest('hex'));
  } finally {
    await direct.end();
  }

  const copyOut = await psql(conninfo, 'COPY (SELECT * FROM copied ORDER BY id) TO STDOUT');
  expect(copyOut.code).toBe(0);
  expect(copyOut.stdout.equals(input)).toBe(true);
});

it('answers 100 concurrent clients on one listener', async () => {
  const port = await listen();
  resolver = () => new Promise(resolve => setTimeout(() => resolve(target()), 200));
  const answers = await Promise.all(
    Array.from({ length: 100 }, (_, i) => withClient(port, async c => (await c.query('SELECT $1::int AS i', [i])).rows[0].i)),
  );
  expect(answers).toEqual(Array.from({ length: 100 }, (_, i) => i));
  expect(resolveCalls).toHaveLength(100);
});

it('forwards a CancelRequest to the server of an open session', async () => {
  const port = await listen();
  await withClient(port, async c => {
    const sleeping = c.query('SELECT pg_sleep(30)').then(
      () => undefined,
      (error: { code?: string }) => error.code,
    );
    await waitFor(async () => {
      const { rows } = await withClient(server.port, d => d.query("SELECT 1 FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)' AND state = 'active'"));
      return rows.length > 0;
    }, 10_000, 'the query to run');
    const { processID, secretKey } = c as unknown as { processID: number; secretKey: number };
    const canceller = await RawClient.connect(port);
    canceller.send(cancelRequest(processID, secretKey));
    // No reply, as from PostgreSQL itself: the proxy closes once the server has the request.
    expect((await canceller.closed()).length).toBe(0);
    expect(await sleeping).toBe('57014');
  });
  expect(resolveCalls).toHaveLength(1);
});

it('forwards a CancelRequest to the server it belongs to when sessions are open on several', async () => {
  const other = await startServer();
  try {
    const port = await listen();
    // The sleeping session on the other server, then an idle one on the first: the last resolved is not the one.
    resolver = async () => ({ host: '127.0.0.1', port: other.port });
    await withClient(port, async sleeper => {
      const sleeping = sleeper.query('SELECT pg_sleep(30)').then(
        () => undefined,
        (error: { code?: string }) => error.code,
      );
      resolver = async () => target();
      await withClient(port, async idle => {
        await idle.query('SELECT 1');
        await waitFor(async () => {
          const { rows } = await withClient(other.port, d => d.query("SELECT 1 FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)' AND state = 'active'"));
          return rows.length > 0;
        }, 10_000, 'the query to run');
        const { processID, secretKey } = sleeper as unknown as { processID: number; secretKey: number };
        const canceller = await RawClient.connect(port);
        canceller.send(cancelRequest(processID, secretKey));
        expect((await canceller.closed()).length).toBe(0);
        expect(await sleeping).toBe('57014');
        // The other session goes on.
        expect((await idle.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
      });
    });
  } finally {
    await other.stop();
  }
});

it('drops a CancelRequest without waking anything when no session is open', async () => {
  const port = await listen();
  const canceller = await RawClient.connect(port);
  canceller.send(cancelRequest(1234, 5678));
  expect((await canceller.closed()).length).toBe(0);
  expect(resolveCalls).toHaveLength(0);
});

it('declines GSSENCRequest and relays the StartupMessage that follows', async () => {
  const port = await listen();
  const raw = await RawClient.connect(port);
  try {
    raw.send(gssencRequest());
    expect((await raw.read(1)).toString()).toBe('N');
    raw.send(startupMessage({ user: 'postgres', database: 'postgres' }));
    const reply = await raw.readMessage();
    expect(reply.type).toBe('R');
    expect(reply.body.readUInt32BE(0)).toBe(0); // AuthenticationOk from the trust server
  } finally {
    raw.destroy();
  }
});

it('counts sessions and bytes, and drops open sessions to 0 when clients leave', async () => {
  const port = await listen();
  expect(proxy.stats(port)).toEqual({ openSessions: 0, totalSessions: 0, refusedConnections: 0, bytesFromClients: 0, bytesToClients: 0 });
  const before = Date.now();
  const clients = [client(port), client(port)];
  await Promise.all(clients.map(c => c.connect()));
  try {
    await Promise.all(clients.map(c => c.query("SELECT repeat('y', 100000)")));
    const open = proxy.stats(port)!;
    expect(open.openSessions).toBe(2);
    expect(open.totalSessions).toBe(2);
    expect(open.bytesFromClients).toBeGreaterThan(100);
    expect(open.bytesToClients).toBeGreaterThan(200_000);
    expect(open.lastClientByteAt!.getTime()).toBeGreaterThanOrEqual(before);
  } finally {
    await Promise.all(clients.map(c => c.end()));
  }
  await waitFor(() => proxy.stats(port)!.openSessions === 0, 10_000, 'sessions to close');
  expect(proxy.stats(port)!.totalSessions).toBe(2);
});

it('ends the sessions of a closed listener and frees its port', async () => {
  const port = await listen();
  const c = client(port);
  await c.connect();
  const ended = new Promise(resolve => c.once('error', resolve).once('end', resolve));
  await proxy.close(port);
  await ended;
  await expect(c.query('SELECT 1')).rejects.toThrow();
  expect(proxy.stats(port)).toBeUndefined();
  await waitFor(async () => {
    const { rows } = await withClient(server.port, d => d.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend'"));
    return rows[0].n === 1;
  }, 10_000, 'the server session to end');
  // The port is free again: something else can bind it.
  const other = createServer();
  await new Promise<void>((resolve, reject) => other.once('error', reject).listen(port, '127.0.0.1', resolve));
  await new Promise(resolve => other.close(resolve));
});

describe('with a startup policy, for a server without TLS that trusts some local connections', () => {
  const superuserRefused = 'the superuser cannot connect through the proxy';
  beforeEach(() => {
    proxy = new PostgresProxy({
      resolve: async () => target(),
      startup: {
        check: parameters => {
          if (parameters.user === 'postgres' && parameters.database === 'template1') throw new ProxyRefusal(superuserRefused, '28000');
        },
      },
    });
  });

  it('declines TLS itself, then relays a StartupMessage the policy accepts', async () => {
    const port = await listen();
    const raw = await RawClient.connect(port);
    raw.send(sslRequest());
    expect((await raw.read(1)).toString()).toBe('N');
    raw.send(startupMessage({ user: 'postgres', database: 'postgres' }));
    // The server's own answer: trust authentication succeeds.
    expect((await raw.readMessage()).type).toBe('R');
    raw.destroy();
    const accepted = client(port);
    await accepted.connect();
    expect((await accepted.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await accepted.end();
  });

  it('refuses a StartupMessage the policy rejects before anything reaches the server', async () => {
    const port = await listen();
    const raw = await RawClient.connect(port);
    raw.send(sslRequest());
    expect((await raw.read(1)).toString()).toBe('N');
    raw.send(startupMessage({ user: 'postgres', database: 'template1' }));
    const reply = await raw.readMessage();
    expect(reply.type).toBe('E');
    expect(reply.body.toString()).toContain(superuserRefused);
    await raw.closed();
    expect(proxy.stats(port)).toMatchObject({ totalSessions: 0, refusedConnections: 1 });
  });
});
