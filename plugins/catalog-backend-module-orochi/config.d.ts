import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  catalog?: {
    providers?: {
      /** Orochi clusters as `Resource` entities of type `orochi-cluster`. */
      orochi?: {
        /** How often every cluster is read again (a full mutation); default every 10 minutes. */
        schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      };
    };
  };
}
