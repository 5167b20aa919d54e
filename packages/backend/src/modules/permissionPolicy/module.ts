import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { OrochiPermissionPolicy } from './OrochiPermissionPolicy';

/** Installs the portal's permission policy into the permission backend. */
export const permissionModuleOrochiPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'orochi-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint, config: coreServices.rootConfig },
      async init({ policy, config }) {
        const clusterVisibility = config.getOptionalString('orochi.clusterVisibility') ?? 'everyone';
        if (clusterVisibility !== 'everyone' && clusterVisibility !== 'owners') {
          throw new Error(`orochi.clusterVisibility must be "everyone" or "owners", not "${clusterVisibility}"`);
        }
        policy.setPolicy(
          new OrochiPermissionPolicy({
            platformAdmins: config.getOptionalStringArray('orochi.platformAdmins') ?? [
              'group:default/platform-admins',
            ],
            clusterVisibility,
          }),
        );
      },
    });
  },
});
