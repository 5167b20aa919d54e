import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createTestDatabases, exampleEntities, instantDriverModule } from '@orochi/test-utils';
import request from 'supertest';
// The plugin itself, not the package's feature loader: the test backend must see it among the modules' plugins.
import { orochiPlugin } from './plugin';

jest.setTimeout(180_000);

const databases = createTestDatabases();
const REQUESTS = 50;
const NAMES = 35;
const QUOTA = 30;

describe.each(databases.eachSupportedId())('50 concurrent creates on %p', databaseId => {
  it('creates exactly what the names and the quota allow, and refuses the rest with a 409 that writes nothing', async () => {
    const knex = await databases.init(databaseId);
    const { server } = await startTestBackend({
      features: [
        orochiPlugin,
        instantDriverModule,
        mockServices.database.factory({ knex }),
        catalogServiceMock.factory({ entities: exampleEntities() }),
        mockServices.rootConfig.factory({
          data: {
            orochi: {
              driver: 'instant',
              plans: [{ name: 'limited', title: 'Limited', limits: { maxClusters: QUOTA } }],
              defaults: { plan: 'limited' },
            },
          },
        }),
      ],
    });

    // 50 requests at once for 35 names (15 of them asked for twice), by a team that may have 30 clusters.
    const responses = await Promise.all(
      Array.from({ length: REQUESTS }, (_, i) =>
        request(server).post('/api/orochi/clusters').send({ name: `burst-${i % NAMES}`, owner: 'team-payments' }),
      ),
    );
    const statuses = responses.map(r => r.status);
    expect(statuses.filter(s => s >= 500)).toEqual([]);
    const created = responses.filter(r => r.status === 202);
    const refused = responses.filter(r => r.status === 409);
    expect({ created: created.length, refused: refused.length }).toEqual({ created: QUOTA, refused: REQUESTS - QUOTA });
    for (const res of refused) {
      expect(res.body.error.message).toMatch(/^(A cluster named "burst-\d+" already exists|plan: the Limited plan allows 30 cluster\(s\) per team)/);
    }

    // What was created is whole and distinct; what was refused left nothing behind.
    const listed = (await request(server).get('/api/orochi/clusters').query({ limit: 100 })).body;
    expect(listed.totalCount).toBe(QUOTA);
    const names = created.map(r => r.body.cluster.name);
    expect(new Set(names).size).toBe(QUOTA);
    expect(new Set(listed.items.map((c: { id: string }) => c.id))).toEqual(new Set(created.map(r => r.body.cluster.id)));
    const operations = await knex('operations').count({ count: '*' });
    expect(Number(operations[0].count)).toBe(QUOTA);
  });
});
