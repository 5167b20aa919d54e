import { LoggerService, SchedulerService, SchedulerServiceTaskScheduleDefinition } from '@backstage/backend-plugin-api';
import { Autoscaler } from '../autoscaling/Autoscaler';
import { AutoscalingDecisionStore } from '../database/AutoscalingDecisionStore';

export const AUTOSCALING_TASK_ID = 'orochi-autoscaler';

/** One autoscaler round per schedule across replicas, and decisions older than their retention dropped. */
export async function scheduleAutoscaling(options: {
  scheduler: SchedulerService;
  autoscaler: Autoscaler;
  decisions: AutoscalingDecisionStore;
  logger: LoggerService;
  schedule: SchedulerServiceTaskScheduleDefinition;
  decisionRetentionMs: number;
  clock?: () => number;
}): Promise<void> {
  const { scheduler, autoscaler, decisions, logger, schedule, decisionRetentionMs, clock = Date.now } = options;
  await scheduler.scheduleTask({
    id: AUTOSCALING_TASK_ID,
    ...schedule,
    scope: 'global',
    fn: async () => {
      await autoscaler.round();
      const pruned = await decisions.prune(clock() - decisionRetentionMs);
      if (pruned) logger.debug(`Pruned ${pruned} autoscaling decision(s)`);
    },
  });
}
