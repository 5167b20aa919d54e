import { LoggerService, SchedulerService, SchedulerServiceTaskScheduleDefinition } from '@backstage/backend-plugin-api';
import { stringifyError } from '@backstage/errors';
import { AUTOMATIC_REQUESTERS, Cluster, clusterSpecOf } from '@orochi/backstage-plugin-orochi-common';
import { ClusterDriver } from '@orochi/backstage-plugin-orochi-node';
import { CronTime } from 'cron';
import { randomUUID } from 'node:crypto';
import { OrochiStore } from '../database/OrochiStore';
import { toDriverCluster } from '../engine/driverCluster';
import { ClusterOperations } from '../operations/ClusterOperations';

export const SCHEDULED_BACKUPS_TASK_ID = 'orochi-scheduled-backups';

/** When a cluster's next scheduled backup is due: the first time its six-field cron (UTC) fires after `since`. */
export function nextBackupDue(schedule: string, since: string): number {
  return new CronTime(schedule, 'UTC').getNextDateFrom(new Date(since)).toMillis();
}

/**
 * For drivers that do not schedule backups themselves (the local driver): starts a backup operation for each
 * ready cluster with backups enabled whose schedule fired since its last scheduled backup, once across replicas.
 */
export async function scheduleBackups(options: {
  scheduler: SchedulerService;
  store: OrochiStore;
  driver: ClusterDriver;
  operations: ClusterOperations;
  logger: LoggerService;
  schedule: SchedulerServiceTaskScheduleDefinition;
  clock?: () => number;
}): Promise<void> {
  const { scheduler, store, driver, operations, logger, schedule, clock = Date.now } = options;

  /** The last scheduled backup started, as the driver lists it or (if it never got that far) as an operation. */
  async function lastScheduledStart(cluster: Cluster): Promise<string> {
    const backups = await driver.listBackups(toDriverCluster(cluster));
    const operationsRun = await store.listClusterOperations(cluster.id, 50);
    const starts = [
      cluster.createdAt,
      ...backups.filter(b => b.kind === 'scheduled').map(b => b.startedAt),
      ...operationsRun.filter(o => o.type === 'backup' && o.parameters.kind === 'scheduled').map(o => o.createdAt),
    ];
    return starts.reduce((latest, start) => (Date.parse(start) > Date.parse(latest) ? start : latest));
  }

  await scheduler.scheduleTask({
    id: SCHEDULED_BACKUPS_TASK_ID,
    ...schedule,
    scope: 'global',
    fn: async () => {
      for (const cluster of await store.listAllClusters()) {
        if (!cluster.backups.enabled || cluster.hibernated || cluster.status !== 'ready' || cluster.currentOperationId) {
          continue;
        }
        try {
          const due = nextBackupDue(cluster.backups.schedule, await lastScheduledStart(cluster));
          if (due > clock()) continue;
          const started = await operations.startIfUnchanged(
            cluster,
            { type: 'backup', parameters: { backupId: randomUUID(), kind: 'scheduled' } },
            clusterSpecOf(cluster),
            {
              requestedBy: AUTOMATIC_REQUESTERS.backupScheduler,
              reason: `scheduled backup (${cluster.backups.schedule}, UTC) due at ${new Date(due).toISOString()}`,
            },
          );
          if (started) logger.info(`Started the scheduled backup of ${cluster.name}`);
        } catch (error) {
          logger.warn(`Could not start the scheduled backup of ${cluster.name}: ${stringifyError(error)}`);
        }
      }
    },
  });
}
