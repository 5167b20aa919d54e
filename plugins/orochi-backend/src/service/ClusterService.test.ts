import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ConflictError, ServiceUnavailableError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { defaultOffering } from '@orochi/backstage-plugin-orochi-common';
import { ClusterDriver } from '@orochi/backstage-plugin-orochi-node';
import { createTestDatabases, exampleEntities } from '@orochi/test-utils';
import { DatabaseMetricsStore } from '../database/DatabaseMetricsStore';
import { DatabaseOrochiStore } from '../database/DatabaseOrochiStore';
import { ClusterOperations } from '../operations/ClusterOperations';
import { ClusterAuthorizer } from './ClusterAuthorizer';
import { ClusterService } from './ClusterService';

const databases = createTestDatabases();

/** The service over a real store, with a driver whose credentials the test decides; everyone is allowed. */
async function setup(readCredentials: ClusterDriver['readCredentials']) {
  const database = mockServices.database({ knex: await databases.init('SQLITE_3') });
  const store = await DatabaseOrochiStore.create({ database });
  const allowAll = { isAllowed: async () => true, authorize: async () => undefined, authorizeBasic: async () => undefined, filter: async () => undefined };
  const logger = mockServices.logger.mock();
  const service = new ClusterService({
    store,
    metrics: await DatabaseMetricsStore.create({ database }),
    driver: { readCredentials } as unknown as ClusterDriver,
    driverName: 'fake',
    offering: defaultOffering([15]),
    authorizer: allowAll as unknown as ClusterAuthorizer,
    operations: new ClusterOperations({ store, onStarted: () => undefined }),
    catalog: catalogServiceMock({ entities: exampleEntities() }),
    auth: mockServices.auth(),
    logger,
  });
  const credentials = mockCredentials.user('user:default/pat');
  const { cluster, operation } = await service.create(credentials, { name: 'orders-db', owner: 'team-payments' });
  const finish = async (outcome: { state: 'succeeded' | 'failed'; error?: string }) => {
    const claimed = await store.claimOperation('w', 60_000);
    await store.finishOperation(operation.id, claimed!.leaseToken, { ...outcome, clusterStatus: outcome.state === 'failed' ? 'failed' : 'ready' });
  };
  return { service, credentials, cluster, finish, logger };
}

describe('ClusterService credentials', () => {
  it('answers 409 with the reason for a cluster whose create failed', async () => {
    const readCredentials = jest.fn();
    const { service, credentials, cluster, finish } = await setup(readCredentials);
    await finish({ state: 'failed', error: 'Error: pg_ctl: could not start server' });
    const reveal = service.revealCredentials(credentials, cluster.id);
    await expect(reveal).rejects.toThrow(ConflictError);
    await expect(reveal).rejects.toThrow('Cluster orders-db could not be created, so it has no credentials: Error: pg_ctl: could not start server');
    expect(readCredentials).not.toHaveBeenCalled();
  });

  it('does not pass on what the driver said when reading failed, which may name files', async () => {
    const { service, credentials, cluster, finish, logger } = await setup(async () => {
      throw new Error("ENOENT: no such file or directory, open '/var/lib/orochi/clusters/abc/credentials.json'");
    });
    await finish({ state: 'succeeded' });
    const reveal = service.revealCredentials(credentials, cluster.id);
    await expect(reveal).rejects.toThrow(ServiceUnavailableError);
    await expect(reveal).rejects.toThrow(/^The credentials of orders-db could not be read; the backend log says why$/);
    expect(logger.error).toHaveBeenCalledWith('Could not read the credentials of orders-db', expect.any(Error));
  });
});
