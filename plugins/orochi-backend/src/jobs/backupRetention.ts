import { LoggerService, SchedulerService, SchedulerServiceTaskScheduleDefinition } from '@backstage/backend-plugin-api';
import { stringifyError } from '@backstage/errors';
import { ClusterDriver } from '@orochi/backstage-plugin-orochi-node';
import { DeletedClusterStore } from '../database/DeletedClusterStore';
import { OrochiStore } from '../database/OrochiStore';
import { toDriverCluster } from '../engine/driverCluster';

export const BACKUP_RETENTION_TASK_ID = 'orochi-backup-retention';

/**
 * Once per schedule across replicas: each cluster's driver removes the backups and WAL its retention no longer
 * needs, and the backups of clusters deleted longer ago than the grace period are removed, with Orochi's record
 * of those clusters. Both are idempotent driver calls on what the driver itself recorded; nothing else is touched.
 */
export async function scheduleBackupRetention(options: {
  scheduler: SchedulerService;
  store: OrochiStore;
  deletedClusters: DeletedClusterStore;
  driver: ClusterDriver;
  logger: LoggerService;
  schedule: SchedulerServiceTaskScheduleDefinition;
  /** How long the backups of a deleted cluster are kept, so an admin can still restore it. */
  deletedClusterGraceMs: number;
  clock?: () => number;
}): Promise<void> {
  const { scheduler, store, deletedClusters, driver, logger, schedule, deletedClusterGraceMs, clock = Date.now } = options;
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
      const deletedBefore = new Date(clock() - deletedClusterGraceMs);
      const purged = await driver.purgeDeletedClusterBackups(deletedBefore);
      if (purged.length) logger.info(`Removed the kept backups of deleted cluster(s) ${purged.join(', ')}`);
      // Only once the driver has removed the backups: a record outlives them, never the other way round.
      await deletedClusters.forgetDeletedBefore(deletedBefore);
    },
  });
}
