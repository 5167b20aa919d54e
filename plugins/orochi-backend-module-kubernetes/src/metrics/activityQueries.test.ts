import { startTestPostgres, TestPostgres } from '@orochi/test-utils';
import { Client } from 'pg';
import { ACTIVITY_SQL } from './activityQueries';

/** Orochi's monitoring query against a real PostgreSQL, run as CloudNativePG's exporter runs it. */
describe('the activity query', () => {
  let postgres: TestPostgres;
  let exporter: Client;

  const connect = async (applicationName: string) => {
    const client = new Client({ connectionString: postgres.connectionString, application_name: applicationName });
    await client.connect();
    return client;
  };
  /** What the exporter would report now. */
  const scrape = async () => {
    // A fresh snapshot of the statistics, not the one the previous query in this transaction saw.
    await exporter.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await exporter.query(ACTIVITY_SQL);
    return { accesses: Number(rows[0].table_accesses), lastActivity: Number(rows[0].last_client_activity_seconds) };
  };

  beforeAll(async () => {
    postgres = await startTestPostgres();
    exporter = await connect('cnpg_metrics_exporter');
    const setup = await connect('setup');
    await setup.query('CREATE TABLE orders (id int PRIMARY KEY, total int)');
    await setup.end();
  });

  afterAll(async () => {
    await exporter?.end();
    await postgres?.stop();
  });

  it('does not move for the exporter’s own queries, catalog reads or other monitoring', async () => {
    const before = await scrape();
    for (let i = 0; i < 5; i++) {
      await exporter.query('SELECT count(*) FROM pg_stat_activity');
      await exporter.query('SELECT sum(xact_commit) FROM pg_stat_database');
      await exporter.query('SELECT * FROM pg_stat_user_tables');
    }
    // Flushed at once, so that anything they counted would show.
    await exporter.query('SELECT pg_stat_force_next_flush()');
    await exporter.query('SELECT 1');
    expect(await scrape()).toEqual(before);
    // Only the exporter is connected: no client was ever active.
    expect(before.lastActivity).toBe(0);
  });

  it('moves for a client that reads or writes a table, and tells when a client was last active', async () => {
    const before = await scrape();
    const { rows } = await exporter.query('SELECT EXTRACT(EPOCH FROM clock_timestamp()) AS now');
    const start = Number(rows[0].now);
    const app = await connect('orders-api');
    await app.query('INSERT INTO orders VALUES (1, 10)');
    await app.query('SELECT total FROM orders WHERE id = 1');
    // A backend flushes its statistics within seconds of going idle; this one is told to at once.
    await app.query('SELECT pg_stat_force_next_flush()');
    await app.query('SELECT 1');
    const after = await scrape();
    expect(after.accesses).toBeGreaterThanOrEqual(before.accesses + 2);
    expect(after.lastActivity).toBeGreaterThanOrEqual(start);
    await app.end();
  });
});
