import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { OrochiProvider } from './provider/OrochiProvider';

export const catalogModuleOrochi = createBackendModule({
  moduleId: 'orochi-provider',
  pluginId: 'catalog',
  register({ registerInit }) {
    registerInit({
      deps: {
        logger: coreServices.logger,
        config: coreServices.rootConfig,
        scheduler: coreServices.scheduler,
        processing: catalogProcessingExtensionPoint,
      },
      async init({ logger, scheduler, config, processing }) {
        processing.addEntityProvider(
          OrochiProvider.fromConfig(config, {
            logger,
            scheduler,
          }),
        );
      }
    });
  },
})
