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
