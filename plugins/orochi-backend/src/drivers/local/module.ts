import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { orochiDriversExtensionPoint } from '@orochi/backstage-plugin-orochi-node';
import { readOrochiConfig } from '../../config';
import { LocalDriver } from './LocalDriver';

/**
 * Adds the `local` driver (PostgreSQL servers on this host) through the drivers extension point, like any other
 * driver; it starts when `orochi.driver` is `local`, the embedded default.
 */
export const orochiModuleLocalDriver = createBackendModule({
  pluginId: 'orochi',
  moduleId: 'local-driver',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        drivers: orochiDriversExtensionPoint,
      },
      async init({ config, logger, drivers }) {
        const orochi = readOrochiConfig(config);
        if (orochi.driver !== 'local') return;
        const driver = await LocalDriver.create({
          config: orochi.local,
          installationId: orochi.installationId,
          logger: logger.child({ driver: 'local' }),
        });
        drivers.addDriver('local', driver);
      },
    });
  },
});
