import { LoggerService, SchedulerService, SchedulerServiceTaskScheduleDefinition } from '@backstage/backend-plugin-api';
import { OrochiStore } from '../database/OrochiStore';

export const PRUNE_OPERATIONS_TASK_ID = 'orochi-prune-operations';

/** Deletes operations that finished more than `retentionDays` ago, once per schedule across all replicas. */
export async function schedulePruneOperations(options: {
  scheduler: SchedulerService;
  store: OrochiStore;
  logger: LoggerService;
  schedule: SchedulerServiceTaskScheduleDefinition;
  retentionDays: number;
  clock?: () => number;
}): Promise<void> {
  const { scheduler, store, logger, schedule, retentionDays, clock = Date.now } = options;
  await scheduler.scheduleTask({
    id: PRUNE_OPERATIONS_TASK_ID,
    ...schedule,
    scope: 'global',
    fn: async () => {
      const pruned = await store.pruneOperations(new Date(clock() - retentionDays * 86_400_000));
      if (pruned) logger.info(`Pruned ${pruned} operation(s) that finished more than ${retentionDays} days ago`);
    },
  });
}
