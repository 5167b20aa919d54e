import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { stringifyError } from '@backstage/errors';
import { CreateClusterRequest, OrochiClient } from '@orochi/backstage-plugin-orochi-common';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

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
        lifecycle.addStartupHook(async () => {
          if (existsSync(stateFile)) return;
          const orochi = new OrochiClient({ discoveryApi: discovery });
          const created: string[] = [];
          for (const cluster of clusters) {
            try {
              const { token } = await auth.getPluginRequestToken({
                onBehalfOf: await auth.getOwnServiceCredentials(),
                targetPluginId: 'orochi',
              });
              await orochi.createCluster(cluster, { token, idempotencyKey: `example:${cluster.name}` });
              created.push(cluster.name);
            } catch (error) {
              logger.warn(`Could not create the example cluster ${cluster.name}: ${stringifyError(error)}`);
            }
          }
          await mkdir(dirname(stateFile), { recursive: true });
          await writeFile(stateFile, `${JSON.stringify({ created, at: new Date().toISOString() }, null, 2)}\n`);
          logger.info(`Created the example clusters ${created.join(', ')}`);
        });
      },
    });
  },
});
