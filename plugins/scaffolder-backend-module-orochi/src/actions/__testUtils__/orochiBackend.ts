import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { JsonValue } from '@backstage/types';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import orochiPlugin from '@orochi/backstage-plugin-orochi-backend';
import { exampleEntities, localDriverConfig, localDriverDirectory, stopServers, testDatabaseServiceFactory } from '@orochi/test-utils';
import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { OrochiActionDeps } from '../orochiApi';

/** Each plugin's SQLite database, which lets the Jest worker exit when its tests are done. */
const databaseFactory = testDatabaseServiceFactory();

/**
 * A real Orochi backend (local driver) for the actions to call over HTTP, and the dependencies that point the
 * actions at it. `deny` makes the permission framework refuse everything; test files run in parallel, so each
 * gives its own port range.
 */
export async function startOrochiBackend(options: { deny?: boolean; ports: { from: number; to: number } }) {
  const dataDirectory = localDriverDirectory();
  const { server } = await startTestBackend({
    features: [
      orochiPlugin,
      databaseFactory,
      mockServices.rootConfig.factory({ data: localDriverConfig(dataDirectory, options.ports) }),
      catalogServiceMock.factory({ entities: exampleEntities() }),
      mockServices.permissions.factory({ result: options.deny ? AuthorizeResult.DENY : AuthorizeResult.ALLOW }),
    ],
  });
  const baseUrl = `http://localhost:${(server.address() as AddressInfo).port}/api/orochi`;
  const deps: OrochiActionDeps = {
    auth: mockServices.auth({ pluginId: 'scaffolder' }),
    discovery: { getBaseUrl: async () => baseUrl, getExternalBaseUrl: async () => baseUrl },
    appBaseUrl: 'http://portal.example.com',
  };
  return {
    deps,
    baseUrl,
    async stop() {
      stopServers(dataDirectory);
      rmSync(dataDirectory, { recursive: true, force: true });
    },
  };
}

/** An action context whose checkpoints persist in `store`, as the scaffolder keeps them across task retries. */
export function contextWithCheckpoints<TInput extends Record<string, any>>(
  input: TInput,
  store: Map<string, JsonValue | void>,
  taskId = 'task-1',
) {
  const ctx = createMockActionContext({ input, task: { id: taskId } as any });
  return {
    ...ctx,
    logger: mockServices.logger.mock(),
    async checkpoint<T extends JsonValue | void>({ key, fn }: { key: string; fn: () => Promise<T> | T }): Promise<T> {
      if (store.has(key)) return store.get(key) as T;
      const value = await fn();
      store.set(key, value);
      return value;
    },
  };
}
