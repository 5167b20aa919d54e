import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import {
  AUTOMATIC_REQUESTERS,
  billingPlanSetPermission,
  clusterPermissions,
  orphansReadPermission,
  deletedClustersReadPermission,
  deletedClusterRestorePermission,
} from '@orochi/backstage-plugin-orochi-common';
import {
  ClusterDriver,
  clusterPermissionResourceRef,
  clusterPermissionRules,
  orochiBillingExtensionPoint,
  orochiDriversExtensionPoint,
  BillingProvider,
} from '@orochi/backstage-plugin-orochi-node';
import { createBilling } from './billing/createBilling';
import { BackupService } from './backups/BackupService';
import { BranchNotifier } from './backups/BranchNotifier';
import { DriverReads } from './backups/DriverReads';
import { RestoreService } from './backups/RestoreService';
import { readOrochiConfig } from './config';
import { DatabaseBranchWarningStore } from './database/BranchWarningStore';
import { DatabaseMetricsStore } from './database/DatabaseMetricsStore';
import { DatabaseOrochiStore } from './database/DatabaseOrochiStore';
import { DatabaseOrphanStore } from './database/OrphanStore';
import { DatabaseDeletedClusterStore } from './database/DeletedClusterStore';
import { DatabaseAutoscalingDecisionStore } from './database/AutoscalingDecisionStore';
import { Autoscaler, AUTOSCALING_NOTIFICATION_TOPIC } from './autoscaling/Autoscaler';
import { AutoscalingService } from './autoscaling/AutoscalingService';
import { scheduleAutoscaling } from './jobs/autoscale';
import { scheduleSuspendIdle } from './jobs/suspendIdle';
import { WakeOnConnect } from './scaleToZero/WakeOnConnect';
import { WakeOnConnectService } from './scaleToZero/WakeOnConnectService';
import { notifyOwners } from './service/notifyOwners';
import { withChangeEvents } from './database/PublishingOrochiStore';
import { MetricsSampler } from './engine/MetricsSampler';
import { OperationEngine } from './engine/OperationEngine';
import { OrphanTracker } from './engine/OrphanTracker';
import { Reconciler } from './engine/Reconciler';
import { scheduleBackupRetention } from './jobs/backupRetention';
import { scheduleBranchExpiry } from './jobs/expireBranches';
import { schedulePruneOperations } from './jobs/pruneOperations';
import { scheduleBackups } from './jobs/scheduledBackups';
import { backupClusterHandler } from './operations/backupCluster';
import { ClusterOperations } from './operations/ClusterOperations';
import { convergingHandlers } from './operations/convergeToSpec';
import { deleteClusterHandler } from './operations/deleteCluster';
import { OperationHandlers } from './operations/OperationHandlers';
import { restoreClusterHandler } from './operations/restoreCluster';
import { ClusterAccess } from './service/ClusterAccess';
import { ClusterAuthorizer } from './service/ClusterAuthorizer';
import { ClusterService } from './service/ClusterService';
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
    let billingProvider: BillingProvider | undefined;
    env.registerExtensionPoint(orochiBillingExtensionPoint, {
      setProvider(provider) {
        if (billingProvider) throw new Error('An Orochi billing provider is already set');
        billingProvider = provider;
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
        notifications: notificationService,
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
        permissionsRegistry.addPermissions([
          billingPlanSetPermission,
          orphansReadPermission,
          deletedClustersReadPermission,
          deletedClusterRestorePermission,
        ]);

        const driver = drivers.get(config.driver);
        if (!driver) {
          throw new Error(
            `orochi.driver is "${config.driver}" but no module added such a driver (known: ${[...drivers.keys()].join(', ') || 'none'})`,
          );
        }
        const offering = config.offering(await driver.capabilities());
        await store.recordMissingComputeUnits(size => offering.sizes.find(s => s.name === size)?.cu);

        const deletedClusters = await DatabaseDeletedClusterStore.create({ database: deps.database });
        const notifier = new BranchNotifier({ notifications: deps.notifications, logger });
        const converge = { driver, store, readyTimeoutSeconds: config.operations.readyTimeoutSeconds };
        const handlers = new OperationHandlers([
          ...convergingHandlers(converge),
          deleteClusterHandler({
            driver,
            onDeleted: async ({ operation, cluster }) => {
              if (operation.requestedBy === AUTOMATIC_REQUESTERS.branchExpiry) await notifier.deleted(cluster);
            },
          }),
          backupClusterHandler({ driver }),
          restoreClusterHandler({ ...converge, deletedClusters }),
        ]);
        const engine = new OperationEngine({ store, handlers, logger, ...config.operations });
        const operations = new ClusterOperations({ store, onStarted: () => void engine.claimAndDispatch() });
        const metrics = await DatabaseMetricsStore.create({ database: deps.database });
        const authorizer = new ClusterAuthorizer({ ...deps, serviceAccess: config.serviceAccess });
        const access = new ClusterAccess({ store, authorizer, catalog: deps.catalog, auth: deps.auth });
        const service = new ClusterService({
          store,
          metrics,
          driver,
          driverName: config.driver,
          offering,
          authorizer,
          operations,
          access,
          logger,
        });
        const reads = new DriverReads({ driver, logger });
        const backups = new BackupService({ access, authorizer, operations, reads });
        const restores = new RestoreService({
          store,
          deletedClusters,
          deletedClusterGraceMs: config.backups.deletedClusterGraceMs,
          access,
          authorizer,
          operations,
          reads,
          offering,
          driverName: config.driver,
        });
        const decisions = await DatabaseAutoscalingDecisionStore.create({ database: deps.database });
        const autoscaling = new AutoscalingService({ access, decisions });
        const orphans = new OrphanTracker({
          store,
          orphans: await DatabaseOrphanStore.create({ database: deps.database }),
          driver,
          driverName: config.driver,
          logger,
          deleteAfterMs: config.reconciler.deleteOrphansAfterMs,
        });
        const reconciler = new Reconciler({ store, driver, operations, orphans, logger });

        // Drivers that watch their clusters have them observed as soon as they change.
        driver.watch?.(clusterId => void reconciler.reconcileById(clusterId));
        const wakeOnConnect = new WakeOnConnect({ store, operations, logger });
        driver.onConnectWhileStopped?.((clusterId, signal) => wakeOnConnect.wake(clusterId, signal));
        lifecycle.addShutdownHook(async () => {
          await driver.close?.();
        });

        const billing = await createBilling({
          ...deps,
          config: config.billing,
          store,
          driver,
          operations,
          offering,
          access,
          authorizer,
          provider: billingProvider,
        });
        if (billing.webhookRouter) {
          deps.httpRouter.use(billing.webhookRouter);
          deps.httpRouter.addAuthPolicy({ path: '/billing/webhook', allow: 'unauthenticated' });
        }
        deps.httpRouter.use(
          await createRouter({
            service,
            backups,
            restores,
            autoscaling,
            wakeOnConnect: new WakeOnConnectService({
              store,
              authorizer,
              wakeOnConnect,
              timeoutMs: config.scaleToZero.wakeTimeoutMs,
            }),
            orphans,
            billing: billing.service,
            authorizer,
            httpAuth: deps.httpAuth,
            auditor: deps.auditor,
          }),
        );
        deps.httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });

        await scheduler.scheduleTask({
          id: 'orochi-operations',
          ...config.operations.schedule,
          fn: () => engine.claimAndDispatch(),
        });
        await scheduler.scheduleTask({
          id: 'orochi-reconcile',
          ...config.reconciler.schedule,
          fn: () => reconciler.reconcileAll(),
        });
        const sampler = new MetricsSampler({ store, metrics, driver, logger, ...config.metrics });
        await scheduler.scheduleTask({
          id: 'orochi-metrics',
          ...config.metrics.schedule,
          fn: () => sampler.sampleAll(),
        });
        await schedulePruneOperations({
          scheduler,
          store,
          logger,
          schedule: config.operations.pruneSchedule,
          retentionDays: config.operations.retentionDays,
        });
        if (!(await driver.capabilities()).schedulesBackups) {
          await scheduleBackups({ scheduler, store, driver, operations, logger, schedule: config.backups.schedule });
        }
        await scheduleBackupRetention({
          scheduler,
          store,
          deletedClusters,
          driver,
          logger,
          schedule: config.backups.retentionSchedule,
          deletedClusterGraceMs: config.backups.deletedClusterGraceMs,
        });
        await scheduleAutoscaling({
          scheduler,
          autoscaler: new Autoscaler({
            store,
            metrics,
            decisions,
            operations,
            offering,
            policy: config.autoscaling.policy,
            notify: (cluster, payload) =>
              notifyOwners({ notifications: deps.notifications, logger }, cluster, {
                ...payload,
                severity: 'high',
                topic: AUTOSCALING_NOTIFICATION_TOPIC,
                scope: `orochi-autoscaling:${cluster.id}`,
              }),
            logger,
          }),
          decisions,
          logger,
          schedule: config.autoscaling.schedule,
          decisionRetentionMs: config.autoscaling.decisionRetentionMs,
        });
        await scheduleSuspendIdle({ scheduler, store, metrics, operations, logger, schedule: config.scaleToZero.schedule });
        await scheduleBranchExpiry({
          scheduler,
          store,
          operations,
          warnings: await DatabaseBranchWarningStore.create({ database: deps.database }),
          notifier,
          logger,
          schedule: config.branches.expirySchedule,
          warnBeforeMs: config.branches.warnBeforeMs,
        });
        lifecycle.addShutdownHook(() => engine.stop());
      },
    });
  },
});
