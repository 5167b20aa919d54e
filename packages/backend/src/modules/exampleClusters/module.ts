import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { CreateClusterRequest, describeApiError, OrochiClient } from '@orochi/backstage-plugin-orochi-common';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

const OWNER_ATTEMPTS = 60;
const OWNER_RETRY_MS = 2000;

function notInCatalogYet(error: unknown): boolean {
  return /no such group in the catalog/.test(describeApiError(error));
}

/**
 * Gives the example org a few clusters the first time the portal starts with a new data directory, so the
 * catalog and the Databases page are not empty. They are created through the Orochi API like any other;
 * `orochi.examples.stateFile` records that it happened, so deleted examples stay deleted.
 */
export const orochiModuleExampleClusters = createBackendModule({
  pluginId: 'orochi',
  moduleId: 'example-clusters',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        lifecycle: coreServices.lifecycle,
      },
      async init({ config, logger, auth, discovery, lifecycle }) {
        const examples = config.getOptionalConfig('orochi.examples');
        if (!examples) return;
        const stateFile = resolve(examples.getString('stateFile'));
        const clusters = (examples.getOptional('clusters') ?? []) as CreateClusterRequest[];
        const orochi = new OrochiClient({ discoveryApi: discovery });
        const create = async (cluster: CreateClusterRequest) => {
          const { token } = await auth.getPluginRequestToken({
            onBehalfOf: await auth.getOwnServiceCredentials(),
            targetPluginId: 'orochi',
          });
          await orochi.createCluster(cluster, { token, idempotencyKey: `example:${cluster.name}` });
        };

        const seed = async () => {
          const created: string[] = [];
          for (const cluster of clusters) {
            for (let attempt = 1; ; attempt++) {
              try {
                await create(cluster);
                created.push(cluster.name);
                break;
              } catch (error) {
                // On a new data directory the catalog is still reading the example org; its owners come soon.
                if (notInCatalogYet(error) && attempt < OWNER_ATTEMPTS) {
                  await new Promise(r => setTimeout(r, OWNER_RETRY_MS));
                  continue;
                }
                logger.warn(`Could not create the example cluster ${cluster.name}: ${describeApiError(error)}`);
                break;
              }
            }
          }
          await mkdir(dirname(stateFile), { recursive: true });
          await writeFile(stateFile, `${JSON.stringify({ created, at: new Date().toISOString() }, null, 2)}\n`);
          logger.info(`Created the example clusters ${created.join(', ') || '(none)'}`);
        };

        lifecycle.addStartupHook(() => {
          if (existsSync(stateFile)) return;
          // In the background: startup does not wait for the catalog.
          seed().catch(error => logger.error(`Creating the example clusters failed: ${describeApiError(error)}`));
        });
      },
    });
  },
});
