import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { resolve } from 'node:path';
import { createPublishLocalAction } from './publishLocalAction';

/** Adds `publish:local`, which lets templates publish to the backend host when there is no Git host. */
export const scaffolderModuleLocalPublish = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'local-publish',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
        catalog: catalogServiceRef,
      },
      async init({ scaffolder, config, catalog }) {
        const directory = resolve(config.getOptionalString('scaffolder.localPublish.directory') ?? 'published-services');
        scaffolder.addActions(createPublishLocalAction({ directory, catalog }));
      },
    });
  },
});
