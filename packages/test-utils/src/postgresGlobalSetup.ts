import { startTestPostgres, TEST_POSTGRES_ENV, TestPostgres } from './postgres';

declare global {
  // eslint-disable-next-line no-var
  var orochiTestPostgres: TestPostgres | undefined;
}

/**
 * Jest global setup: one PostgreSQL server for a package's test run, handed to Backstage's TestDatabases
 * through its connection-string variable (workers inherit it). A variable already set wins.
 */
export default async function setup() {
  if (process.env[TEST_POSTGRES_ENV]) return;
  globalThis.orochiTestPostgres = await startTestPostgres();
  process.env[TEST_POSTGRES_ENV] = globalThis.orochiTestPostgres.connectionString;
}
