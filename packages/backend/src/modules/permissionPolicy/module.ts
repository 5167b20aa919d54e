import { createBackendModule } from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { OrochiPermissionPolicy } from './OrochiPermissionPolicy';

/** Installs Orochi's permission policy into the permission backend. */
export const permissionModuleOrochiPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'orochi-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy(new OrochiPermissionPolicy());
      },
    });
  },
});
