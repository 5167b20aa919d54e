import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createOrochiBranchCreateAction } from './actions/createBranch';
import { createOrochiClusterCreateAction } from './actions/createCluster';
import { createOrochiBranchDeleteAction } from './actions/deleteBranch';
import { createOrochiClusterDeleteAction } from './actions/deleteCluster';
import { createOrochiClusterWaitAction } from './actions/waitForCluster';

/** Orochi's template actions: create, wait for and delete clusters and branches as the user who runs the template. */
export const scaffolderModuleOrochi = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'orochi',
  register({ registerInit }) {
    registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        config: coreServices.rootConfig,
      },
      async init({ scaffolder, auth, discovery, config }) {
        const deps = { auth, discovery, appBaseUrl: config.getString('app.baseUrl') };
        scaffolder.addActions(
          createOrochiClusterCreateAction(deps),
          createOrochiClusterWaitAction(deps),
          createOrochiClusterDeleteAction(deps),
          createOrochiBranchCreateAction(deps),
          createOrochiBranchDeleteAction(deps),
        );
      },
    });
  },
});
