import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { ClusterStatus, defaultOffering } from '@orochi/backstage-plugin-orochi-common';
import { ClusterDriver } from '@orochi/backstage-plugin-orochi-node';
import { createTestDatabases, exampleEntities } from '@orochi/test-utils';
import { BackupService } from '../backups/BackupService';
import { DriverReads } from '../backups/DriverReads';
import { RestoreService } from '../backups/RestoreService';
import { DatabaseMetricsStore } from '../database/DatabaseMetricsStore';
import { DatabaseDeletedClusterStore } from '../database/DeletedClusterStore';
import { DatabaseOrochiStore } from '../database/DatabaseOrochiStore';
import { ClusterOperations } from '../operations/ClusterOperations';
import { ClusterAccess } from '../service/ClusterAccess';
import { ClusterAuthorizer } from '../service/ClusterAuthorizer';
import { ClusterService } from '../service/ClusterService';

/** An authorizer that allows everything: for tests of what the services do once a caller is allowed. */
export const allowAll = {
  isAllowed: async () => true,
  authorize: async () => undefined,
  authorizeBasic: async () => undefined,
  filter: async () => undefined,
} as unknown as ClusterAuthorizer;

/**
 * The API's services over a real store (SQLite) and the given driver, everyone allowed, the example org in the
 * catalog. `finish` ends a cluster's pending operation as a worker would.
 */
export async function servicesOver(
  databases: ReturnType<typeof createTestDatabases>,
  driver: ClusterDriver,
  options: { clock?: () => number } = {},
) {
  const database = mockServices.database({ knex: await databases.init('SQLITE_3') });
  const store = await DatabaseOrochiStore.create({
    database,
    ...(options.clock ? { clock: () => new Date(options.clock!()) } : {}),
  });
  const logger = mockServices.logger.mock();
  const offering = defaultOffering([17]);
  const operations = new ClusterOperations({ store, onStarted: () => undefined });
  const access = new ClusterAccess({
    store,
    authorizer: allowAll,
    catalog: catalogServiceMock({ entities: exampleEntities() }),
    auth: mockServices.auth(),
  });
  const reads = new DriverReads({ driver, logger });
  const common = { store, access, authorizer: allowAll, operations, offering };
  const metrics = await DatabaseMetricsStore.create({ database });
  const clusters = new ClusterService({
    ...common,
    metrics,
    driver,
    driverName: 'fake',
    logger,
  });
  const backups = new BackupService({ ...common, reads });
  const deletedClusters = await DatabaseDeletedClusterStore.create({ database });
  const restores = new RestoreService({ ...common, reads, deletedClusters, deletedClusterGraceMs: 7 * 86_400_000, driverName: 'fake' });
  const credentials = mockCredentials.user('user:default/pat');

  /** Ends the pending operation as a worker would, with the status it settles in. */
  async function finish(state: 'succeeded' | 'failed' = 'succeeded', clusterStatus: ClusterStatus = 'ready', error?: string) {
    const claimed = await store.claimOperation('test-worker', 60_000);
    if (!claimed) throw new Error('No pending operation');
    await store.finishOperation(claimed.id, claimed.leaseToken, {
      state,
      clusterStatus,
      ...(error ? { error } : {}),
      ...(claimed.type === 'delete' && state === 'succeeded' ? { deleteCluster: true } : {}),
    });
    return claimed;
  }

  /** A ready cluster of team-payments. */
  async function readyCluster(name: string) {
    const { cluster } = await clusters.create(credentials, { name, owner: 'team-payments' });
    await finish();
    return (await store.getCluster(cluster.id))!;
  }

  return { database, store, metrics, operations, clusters, backups, restores, credentials, finish, readyCluster, logger, offering };
}
