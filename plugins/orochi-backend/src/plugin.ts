import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import {
  billingManagePermission,
  billingReadPermission,
  Cluster,
  clusterPermissions,
} from '@orochi/backstage-plugin-orochi-common';
import {
  ClusterDriver,
  clusterPermissionResourceRef,
  clusterPermissionRules,
  orochiDriversExtensionPoint,
} from '@orochi/backstage-plugin-orochi-node';
import { readOrochiConfig } from './config';
import { DatabaseMetricsStore } from './database/DatabaseMetricsStore';
import { DatabaseOrochiStore } from './database/DatabaseOrochiStore';
import { withChangeEvents } from './database/PublishingOrochiStore';
import { LocalDriver } from './drivers/local/LocalDriver';
import { toDriverCluster } from './engine/driverCluster';
import { MetricsSampler } from './engine/MetricsSampler';
import { OperationEngine } from './engine/OperationEngine';
import { Reconciler } from './engine/Reconciler';
import { ClusterAuthorizer } from './service/ClusterAuthorizer';
import { ClusterService } from './service/ClusterService';
import { PlanQuotaPolicy } from './service/QuotaPolicy';
import { createRouter } from './service/router';

/**
 * The Orochi backend plugin: the REST API under /api/orochi, the operation engine and the reconciler.
 *
 * @public
 */
export const orochiPlugin = createBackendPlugin({
  pluginId: 'orochi',
  register(env) {
    const drivers = new Map<string, ClusterDriver>();
    env.registerExtensionPoint(orochiDriversExtensionPoint, {
      addDriver(name, driver) {
        if (drivers.has(name)) throw new Error(`Orochi driver ${name} is already registered`);
        drivers.set(name, driver);
      },
    });

    env.registerInit({
      deps: {
        rootConfig: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        auditor: coreServices.auditor,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
        catalog: catalogServiceRef,
        events: eventsServiceRef,
      },
      async init(deps) {
        const { logger, permissionsRegistry, scheduler, lifecycle } = deps;
        const config = readOrochiConfig(deps.rootConfig);
        const store = withChangeEvents(
          await DatabaseOrochiStore.create({ database: deps.database }),
          deps.events,
          logger,
        );

        permissionsRegistry.addResourceType({
          resourceRef: clusterPermissionResourceRef,
          permissions: clusterPermissions,
          rules: Object.values(clusterPermissionRules),
          getResources: ids => Promise.all(ids.map(id => store.getCluster(id))),
        });
        permissionsRegistry.addPermissions([billingReadPermission, billingManagePermission]);

        const driver: ClusterDriver | undefined =
          drivers.get(config.driver) ??
          (config.driver === 'local'
            ? await LocalDriver.create({ config: config.local, logger: logger.child({ driver: 'local' }) })
            : undefined);
        if (!driver) {
          throw new Error(
            `orochi.driver is "${config.driver}" but no such driver is installed (known: local, ${[...drivers.keys()].join(', ')})`,
          );
        }
        const offering = config.offering(await driver.capabilities());

        const driverCluster = (cluster: Cluster) => toDriverCluster(cluster, offering);
        const engine = new OperationEngine({ store, driver, logger, driverCluster, ...config.operations });
        const metrics = await DatabaseMetricsStore.create({ database: deps.database });
        const service = new ClusterService({
          store,
          metrics,
          driver,
          driverName: config.driver,
          offering,
          authorizer: new ClusterAuthorizer(deps),
          quota: new PlanQuotaPolicy(store, offering),
          catalog: deps.catalog,
          auth: deps.auth,
          logger,
          onOperation: () => void engine.claimAndDispatch(),
        });
        const reconciler = new Reconciler({
          store,
          driver,
          logger,
          driverCluster,
          repair: cluster => service.repair(cluster),
        });

        // Drivers that watch their clusters have them observed as soon as they change.
        driver.watch?.(clusterId => void reconciler.reconcileById(clusterId));

        deps.httpRouter.use(await createRouter({ service, httpAuth: deps.httpAuth, auditor: deps.auditor }));
        deps.httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });

        await scheduler.scheduleTask({
          id: 'orochi-operations',
          ...config.operations.schedule,
          fn: () => engine.claimAndDispatch(),
        });
        await scheduler.scheduleTask({
          id: 'orochi-reconcile',
          ...config.reconcilerSchedule,
          fn: () => reconciler.reconcileAll(),
        });
        const sampler = new MetricsSampler({ store, metrics, driver, logger, driverCluster, ...config.metrics });
        await scheduler.scheduleTask({
          id: 'orochi-metrics',
          ...config.metrics.schedule,
          fn: () => sampler.sampleAll(),
        });
        lifecycle.addShutdownHook(() => engine.stop());
      },
    });
  },
});
