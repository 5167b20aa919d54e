import { LoggerService, SchedulerService, SchedulerServiceTaskScheduleDefinition } from '@backstage/backend-plugin-api';
import { MeterEventOutbox } from '../billing/MeterEventOutbox';
import { UsageMeter } from '../billing/UsageMeter';
import { UsageRollup } from '../billing/UsageRollup';

export const USAGE_TASK_ID = 'orochi-usage';
export const USAGE_ROLLUP_TASK_ID = 'orochi-usage-rollup';
export const METER_EVENTS_TASK_ID = 'orochi-meter-events';

/**
 * Metering, once per schedule across replicas: a usage round every minute, hourly roll-ups, and (with a billing
 * provider) delivery of the outbox.
 */
export async function scheduleMetering(options: {
  scheduler: SchedulerService;
  meter: UsageMeter;
  rollup: UsageRollup;
  outbox?: MeterEventOutbox;
  logger: LoggerService;
  schedules: {
    usage: SchedulerServiceTaskScheduleDefinition;
    rollup: SchedulerServiceTaskScheduleDefinition;
    delivery: SchedulerServiceTaskScheduleDefinition;
  };
}): Promise<void> {
  const { scheduler, meter, rollup, outbox, logger, schedules } = options;
  await scheduler.scheduleTask({
    id: USAGE_TASK_ID,
    ...schedules.usage,
    scope: 'global',
    fn: async () => {
      const { clusters, samples } = await meter.meterAll();
      logger.debug(`Metered ${clusters} cluster(s): ${samples} sample(s)`);
    },
  });
  await scheduler.scheduleTask({
    id: USAGE_ROLLUP_TASK_ID,
    ...schedules.rollup,
    scope: 'global',
    fn: async () => {
      const changed = await rollup.rollUp();
      if (changed) logger.info(`Rolled up usage: ${changed} account total(s) changed`);
    },
  });
  if (outbox) {
    await scheduler.scheduleTask({
      id: METER_EVENTS_TASK_ID,
      ...schedules.delivery,
      scope: 'global',
      fn: async () => {
        const delivered = await outbox.deliverDue();
        if (delivered) logger.info(`Delivered ${delivered} meter event(s) to the billing provider`);
      },
    });
  }
}
