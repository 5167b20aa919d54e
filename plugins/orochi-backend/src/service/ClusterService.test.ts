import { ConflictError, ServiceUnavailableError } from '@backstage/errors';
import { ClusterDriver } from '@orochi/backstage-plugin-orochi-node';
import { createTestDatabases } from '@orochi/test-utils';
import { fakeDriver } from '../__testUtils__/fakeDriver';
import { servicesOver } from '../__testUtils__/services';

const databases = createTestDatabases();

/** The service over a real store, with a driver whose credentials the test decides; everyone is allowed. */
async function setup(readCredentials: ClusterDriver['readCredentials']) {
  const { clusters: service, credentials, finish: finishPending, logger } = await servicesOver(
    databases,
    fakeDriver({ readCredentials }),
  );
  const { cluster } = await service.create(credentials, { name: 'orders-db', owner: 'team-payments' });
  const finish = (outcome: { state: 'succeeded' | 'failed'; error?: string }) =>
    finishPending(outcome.state, outcome.state === 'failed' ? 'failed' : 'ready', outcome.error);
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
