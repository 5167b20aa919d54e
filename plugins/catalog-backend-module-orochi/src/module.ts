import {
  coreServices,
  createBackendModule,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { OrochiEntityProvider } from './provider/OrochiEntityProvider';

/** Adds Orochi clusters to the catalog. */
export const catalogModuleOrochi = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'orochi-entity-provider',
  register({ registerInit }) {
    registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        events: eventsServiceRef,
        processing: catalogProcessingExtensionPoint,
      },
      async init({ config, logger, scheduler, auth, discovery, events, processing }) {
        const scheduleKey = 'catalog.providers.orochi.schedule';
        const schedule = config.has(scheduleKey)
          ? readSchedulerServiceTaskScheduleDefinitionFromConfig(config.getConfig(scheduleKey))
          : { frequency: { minutes: 10 }, timeout: { minutes: 3 } };
        processing.addEntityProvider(
          new OrochiEntityProvider({
            taskRunner: scheduler.createScheduledTaskRunner(schedule),
            events,
            auth,
            discovery,
            appBaseUrl: config.getString('app.baseUrl'),
            logger,
          }),
        );
      },
    });
  },
});
