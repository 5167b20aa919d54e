import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));

// Sign-in: the guest provider for local use, OIDC in production (app-config.production.yaml).
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
backend.add(import('@backstage/plugin-auth-backend-module-oidc-provider'));

backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));
backend.add(import('@orochi/backstage-plugin-catalog-backend-module-orochi'));

backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(
  import('@backstage/plugin-scaffolder-backend-module-notifications'),
);
backend.add(import('@orochi/backstage-plugin-scaffolder-backend-module-orochi'));
backend.add(import('./modules/localPublish'));

backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('./modules/permissionPolicy'));

backend.add(import('@backstage/plugin-events-backend'));
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));
backend.add(import('@backstage/plugin-user-settings-backend'));

backend.add(import('@orochi/backstage-plugin-orochi-backend'));
backend.add(import('./modules/exampleClusters'));

backend.add(import('@orochi/backstage-plugin-orochi-backend-module-kubernetes'));
backend.add(import('@orochi/backstage-plugin-orochi-backend-module-stripe'));
backend.start();
