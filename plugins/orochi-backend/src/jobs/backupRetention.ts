import { LoggerService, SchedulerService, SchedulerServiceTaskScheduleDefinition } from '@backstage/backend-plugin-api';
import { stringifyError } from '@backstage/errors';
import { ClusterDriver } from '@orochi/backstage-plugin-orochi-node';
import { OrochiStore } from '../database/OrochiStore';
import { toDriverCluster } from '../engine/driverCluster';

export const BACKUP_RETENTION_TASK_ID = 'orochi-backup-retention';

/**
 * Once per schedule across replicas: each cluster's driver removes the backups and WAL its retention no longer
 * needs, and the backups of clusters deleted longer ago than the grace period are removed. Both are idempotent
 * driver calls on what the driver itself recorded; nothing else is touched.
 */
export async function scheduleBackupRetention(options: {
  scheduler: SchedulerService;
  store: OrochiStore;
  driver: ClusterDriver;
  logger: LoggerService;
  schedule: SchedulerServiceTaskScheduleDefinition;
  /** How long the backups of a deleted cluster are kept, so an admin can still restore it. */
  deletedClusterGraceMs: number;
  clock?: () => number;
}): Promise<void> {
  const { scheduler, store, driver, logger, schedule, deletedClusterGraceMs, clock = Date.now } = options;
  await scheduler.scheduleTask({
    id: BACKUP_RETENTION_TASK_ID,
    ...schedule,
    scope: 'global',
    fn: async () => {
      for (const cluster of await store.listAllClusters()) {
        if (cluster.status !== 'ready' && cluster.status !== 'hibernated') continue;
        try {
          const removed = await driver.applyBackupRetention(toDriverCluster(cluster));
          if (removed.length) {
            logger.info(`Removed ${removed.length} backup(s) of ${cluster.name} older than ${cluster.backups.retentionDays} days`);
          }
        } catch (error) {
          logger.warn(`Could not apply the backup retention of ${cluster.name}: ${stringifyError(error)}`);
        }
      }
      const purged = await driver.purgeDeletedClusterBackups(new Date(clock() - deletedClusterGraceMs));
      if (purged.length) logger.info(`Removed the kept backups of deleted cluster(s) ${purged.join(', ')}`);
    },
  });
}
