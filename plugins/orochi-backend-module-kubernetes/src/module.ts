import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { orochiDriversExtensionPoint } from '@orochi/backstage-plugin-orochi-node';
import { readKubernetesDriverConfig } from './config';
import { KubernetesDriver } from './KubernetesDriver';

/** Adds the `kubernetes` driver (CloudNativePG); it runs when `orochi.driver` is `kubernetes`. */
export const orochiModuleKubernetes = createBackendModule({
  pluginId: 'orochi',
  moduleId: 'kubernetes',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        lifecycle: coreServices.lifecycle,
        drivers: orochiDriversExtensionPoint,
      },
      async init({ config, logger, lifecycle, drivers }) {
        // Installed in every portal, but it only connects to Kubernetes when it is the driver in use.
        if (config.getOptionalString('orochi.driver') !== 'kubernetes') return;
        const driver = await KubernetesDriver.create({
          config: readKubernetesDriverConfig(config),
          logger: logger.child({ driver: 'kubernetes' }),
        });
        drivers.addDriver('kubernetes', driver);
        lifecycle.addShutdownHook(() => driver.stop());
      },
    });
  },
});
