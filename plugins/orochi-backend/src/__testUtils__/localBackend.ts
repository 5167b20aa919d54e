import { BackendFeature, coreServices, createServiceFactory } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { exampleEntities, localDriverConfig, openApiCheckedUrl, testDatabaseServiceFactory } from '@orochi/test-utils';
import type { Server } from 'node:http';
import { orochiModuleLocalDriver, orochiPlugin } from '..';
import { spec } from '../schema/openapi.generated';

/**
 * The Orochi plugin with the local driver on a test database, the example org in the catalog and a scheduler
 * the test triggers: what the API tests on real servers start. `orochi` overrides parts of the configuration.
 */
export async function startLocalBackend(options: {
  dataDirectory: string;
  ports: { from: number; to: number };
  orochi?: Record<string, unknown>;
  features?: BackendFeature[];
}): Promise<{ server: Server; api: string; scheduler: ReturnType<typeof mockServices.scheduler> }> {
  const scheduler = mockServices.scheduler();
  const config = localDriverConfig(options.dataDirectory, options.ports);
  const { server } = await startTestBackend({
    features: [
      orochiPlugin,
      orochiModuleLocalDriver,
      testDatabaseServiceFactory(),
      mockServices.rootConfig.factory({ data: { ...config, orochi: { ...config.orochi, ...options.orochi } } }),
      catalogServiceMock.factory({ entities: exampleEntities() }),
      createServiceFactory({ service: coreServices.scheduler, deps: {}, factory: () => scheduler }),
      ...(options.features ?? []),
    ],
  });
  return { server, api: await openApiCheckedUrl(server, '/api/orochi', spec), scheduler };
}
