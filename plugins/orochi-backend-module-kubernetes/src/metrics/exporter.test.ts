import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { deadPort } from '../__testUtils__/kube';
import { activityOf, exporterUrl, scrapeExporter } from './exporter';
import { parsePrometheusText } from './prometheusText';

const scrape = readFileSync(join(__dirname, '__fixtures__', 'cnpgExporter.txt'), 'utf8');
const samples = parsePrometheusText(scrape);
const without = (name: string) => samples.filter(s => s.name !== name);

describe('activityOf', () => {
  it('counts client sessions of a primary, without CloudNativePG’s own', () => {
    expect(activityOf(samples)).toEqual({
      // 4 idle app sessions, orders-api (idle in transaction), psql (active) and the logical walsender of cdc; not
      // the exporter, the instance manager, the pooler's auth_query session or the standbys' walsenders.
      connections: 7,
      // Idle in transaction counts, and so does replication to a client (orders-cdc).
      activeSessions: 3,
      // Orochi's count of user-table accesses: the exporter's own queries move xact_commit, not it.
      transactionsTotal: 91377,
      storageBytes: 9012345 + 7701295 + 7631663,
      lastActivityAt: '2025-12-03T16:00:00.000Z',
    });
  });

  it('counts nothing active when only CloudNativePG is connected', () => {
    const cnpgOnly = samples.filter(s => s.name !== 'cnpg_backends_total' || !['app', 'cdc'].includes(s.labels.usename));
    expect(activityOf(cnpgOnly)).toMatchObject({ connections: 0, activeSessions: 0 });
  });

  it('answers undefined when the exporter reports PostgreSQL down', () => {
    const down = samples.map(s => (s.name === 'cnpg_collector_up' ? { ...s, value: 0 } : s));
    expect(activityOf(down)).toBeUndefined();
    expect(activityOf(without('cnpg_collector_up'))).toBeUndefined();
  });

  it('leaves out the time of the last activity when no client session was ever seen', () => {
    const never = samples.map(s => (s.name === 'cnpg_orochi_activity_last_client_activity_seconds' ? { ...s, value: 0 } : s));
    expect(activityOf(never)).not.toHaveProperty('lastActivityAt');
  });

  it("refuses to guess when the default monitoring queries or Orochi's are missing", () => {
    for (const name of [
      'cnpg_backends_total',
      'cnpg_orochi_activity_table_accesses',
      'cnpg_orochi_activity_last_client_activity_seconds',
      'cnpg_pg_database_size_bytes',
    ]) {
      expect(() => activityOf(without(name))).toThrow(`The exporter has no ${name}`);
    }
  });
});

describe('scrapeExporter', () => {
  let server: Server;
  let port: number;
  let answer = { status: 200, body: scrape };

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url !== '/metrics') res.writeHead(404).end();
      else res.writeHead(answer.status, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(answer.body);
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => new Promise(resolve => server.close(resolve)));

  it('scrapes the exporter of a pod over HTTP', async () => {
    expect(exporterUrl('10.244.0.12')).toBe('http://10.244.0.12:9187/metrics');
    expect(exporterUrl('fd00:10:244::c')).toBe('http://[fd00:10:244::c]:9187/metrics');
    answer = { status: 200, body: scrape };
    expect(activityOf(await scrapeExporter(exporterUrl('127.0.0.1', port)))).toMatchObject({ connections: 7, activeSessions: 3 });
  });

  it('fails as unavailable when the exporter answers an error, or nothing', async () => {
    answer = { status: 500, body: 'An error has occurred while serving metrics' };
    await expect(scrapeExporter(exporterUrl('127.0.0.1', port))).rejects.toMatchObject({
      name: 'ServiceUnavailableError',
      message: expect.stringMatching(/answered HTTP 500: An error has occurred/),
    });
    const nowhere = exporterUrl('127.0.0.1', await deadPort());
    await expect(scrapeExporter(nowhere)).rejects.toMatchObject({
      name: 'ServiceUnavailableError',
      message: expect.stringMatching(/No answer from the exporter at .*ECONNREFUSED/),
    });
  });
});
