import { coreServices, createServiceFactory } from '@backstage/backend-plugin-api';
import knexFactory, { Knex } from 'knex';
import { TestDatabases } from '@backstage/backend-test-utils';
import { TEST_POSTGRES_ID } from './postgres';

/**
 * SQLite and the real PostgreSQL server of the test setup. Fails rather than quietly testing SQLite alone when
 * the PostgreSQL server is missing.
 */
export function createTestDatabases(): TestDatabases {
  const databases = TestDatabases.create({ ids: [TEST_POSTGRES_ID, 'SQLITE_3'] });
  if (!databases.supports(TEST_POSTGRES_ID)) {
    throw new Error(
      'No PostgreSQL for the tests: add "globalSetup": "@orochi/test-utils/postgresGlobalSetup" to the package\'s jest config',
    );
  }
  return databases;
}

/** The part of tarn's pool (under knex) that keeps a timer running while the pool holds a connection. */
type ReapingPool = { interval: NodeJS.Timeout | null; _startReaping(): void };

/**
 * Backstage's database service for test backends: an in-memory SQLite database of its own for each plugin, as
 * Backstage's TestDatabases makes them, whose pool does not keep the Jest worker alive.
 *
 * Backstage's default factory never closes SQLite connections (closing loses an in-memory database), and the pool
 * under knex keeps a reaping timer running for as long as it holds a connection, so a worker that ran a test
 * backend could not exit ("a worker process has failed to exit gracefully"). Closing the databases at shutdown
 * is no cure: plugins' loops (the catalog's, the scaffolder's) may still finish a query after their backend
 * stopped. So the timer is unref'd instead: it no longer holds the process, and a late query still works.
 */
export function testDatabaseServiceFactory(options: { onCreate?: (pluginId: string, knex: Knex) => void } = {}) {
  return createServiceFactory({
    service: coreServices.database,
    deps: { plugin: coreServices.pluginMetadata },
    async factory({ plugin }) {
      const knex = knexFactory({ client: 'better-sqlite3', connection: ':memory:', useNullAsDefault: true });
      // A test that must set up what no API can (metrics samples from the past, say) reaches the plugin's tables.
      options.onCreate?.(plugin.getId(), knex);
      knex.client.pool.on('createSuccess', (_id: unknown, db: { pragma(statement: string): void }) => db.pragma('foreign_keys = ON'));
      const pool = knex.client.pool as ReapingPool;
      const startReaping = pool._startReaping.bind(pool);
      pool._startReaping = () => {
        startReaping();
        pool.interval?.unref();
      };
      return { getClient: async () => knex };
    },
  });
}
