import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
// Named, not the default loader: startTestBackend adds a stand-in plugin for a module whose plugin it cannot see.
import { orochiModuleLocalDriver, orochiPlugin } from '@orochi/backstage-plugin-orochi-backend';
import { eventually, exampleEntities, localDriverConfig, localDriverDirectory, stopServers, waitForOperation, testDatabaseServiceFactory } from '@orochi/test-utils';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import exampleClustersModule from './modules/exampleClusters';

/** Each plugin's SQLite database, which lets the Jest worker exit when its tests are done. */
const databaseFactory = testDatabaseServiceFactory();

jest.setTimeout(120_000);

describe('the example clusters', () => {
  const dataDirectory = localDriverDirectory();
  afterAll(() => {
    stopServers(join(dataDirectory, 'clusters'));
    rmSync(dataDirectory, { recursive: true, force: true });
  });

  const startWith = (stateFile: string) =>
    startTestBackend({
      features: [
        orochiPlugin,
        databaseFactory,
        orochiModuleLocalDriver,
        exampleClustersModule,
        catalogServiceMock.factory({ entities: exampleEntities() }),
        mockServices.rootConfig.factory({
          data: {
            orochi: {
              ...localDriverConfig(join(dataDirectory, 'clusters'), { from: 55100, to: 55199 }).orochi,
              // As in app-config.yaml: the module creates them as the plugin's own service.
              serviceAccess: [{ subject: 'plugin:orochi', permissions: ['orochi.cluster.create'] }],
              examples: {
                stateFile,
                clusters: [
                  { name: 'payments-db', owner: 'team-payments', system: 'payments' },
                  { name: 'search-db', owner: 'team-search', size: 'medium', instances: 2 },
                ],
              },
            },
          },
        }),
      ],
    });

  it('are created through the API on the first start, and only then', async () => {
    const stateFile = join(dataDirectory, 'example-clusters.json');
    const first = await startWith(stateFile);
    const { server } = first;
    // Created in the background once the owners are in the catalog.
    const body = await eventually('the examples', async () => {
      const res = await request(server).get('/api/orochi/clusters');
      return res.body.totalCount === 2 && existsSync(stateFile) ? res.body : undefined;
    });
    expect(body.items.map((c: { name: string; owner: string }) => [c.name, c.owner])).toEqual([
      ['payments-db', 'group:default/team-payments'],
      ['search-db', 'group:default/team-search'],
    ]);
    for (const cluster of body.items) {
      const [create] = (await request(server).get(`/api/orochi/clusters/${cluster.id}/operations`)).body.items;
      expect(await waitForOperation(server, create.id)).toMatchObject({ state: 'succeeded' });
      const deleted = await request(server).delete(`/api/orochi/clusters/${cluster.id}`);
      await waitForOperation(server, deleted.body.operation.id);
    }

    // The data directory is no longer new: a restart creates nothing, even though the examples were deleted.
    // (The startup hook decides synchronously, before startTestBackend resolves.)
    await first.stop();
    const restarted = await startWith(stateFile);
    expect((await request(restarted.server).get('/api/orochi/clusters')).body.totalCount).toBe(0);
  });
});
