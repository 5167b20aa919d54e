import { LoggerService, SchedulerService, SchedulerServiceTaskScheduleDefinition } from '@backstage/backend-plugin-api';
import { stringifyError } from '@backstage/errors';
import { AUTOMATIC_REQUESTERS, Cluster, clusterSpecOf } from '@orochi/backstage-plugin-orochi-common';
import { MetricsStore } from '../database/MetricsStore';
import { OrochiStore } from '../database/OrochiStore';
import { ClusterOperations } from '../operations/ClusterOperations';
import { lastActivity } from '../scaleToZero/lastActivity';

export const SUSPEND_IDLE_TASK_ID = 'orochi-suspend-idle';

/**
 * Scale to zero, once per schedule across replicas: a ready cluster with `scaleToZero` enabled that has had no
 * client activity for its idle minutes is suspended by a `suspend` operation started by `orochi:idle`. Only
 * samples that cover the whole idle time count as evidence: after an outage of the sampler it waits.
 */
export async function scheduleSuspendIdle(options: {
  scheduler: SchedulerService;
  store: OrochiStore;
  metrics: MetricsStore;
  operations: ClusterOperations;
  logger: LoggerService;
  schedule: SchedulerServiceTaskScheduleDefinition;
  clock?: () => number;
}): Promise<void> {
  const { scheduler, store, metrics, operations, logger, schedule, clock = Date.now } = options;

  async function suspendIfIdle(cluster: Cluster) {
    const now = clock();
    const idleMs = cluster.scaleToZero.idleMinutes * 60_000;
    const [latestOperation] = await store.listClusterOperations(cluster.id, 1);
    const since = Date.parse(latestOperation?.finishedAt ?? cluster.updatedAt);
    const samples = await metrics.listSamples(cluster.id, now - idleMs - 60_000);
    if (!samples.length || samples[0].sampledAt > now - idleMs) return;
    const activity = lastActivity(samples, {
      since,
      idleSessionsKeepAwake: cluster.scaleToZero.idleSessionsKeepAwake ?? false,
    });
    if (activity.activeNow || now - activity.lastActiveAt < idleMs) return;
    const idleSince = new Date(activity.lastActiveAt).toISOString();
    const started = await operations.startIfUnchanged(
      cluster,
      { type: 'suspend', parameters: { idleSince, idleMinutes: cluster.scaleToZero.idleMinutes } },
      { ...clusterSpecOf(cluster), hibernated: true, idleSuspended: true },
      {
        requestedBy: AUTOMATIC_REQUESTERS.idle,
        reason: `no client activity since ${idleSince} (scale to zero after ${cluster.scaleToZero.idleMinutes} idle minutes)`,
      },
    );
    if (started) logger.info(`Suspending ${cluster.name}: idle since ${idleSince}`);
  }

  await scheduler.scheduleTask({
    id: SUSPEND_IDLE_TASK_ID,
    ...schedule,
    scope: 'global',
    fn: async () => {
      for (const cluster of await store.listAllClusters()) {
        if (!cluster.scaleToZero.enabled || cluster.hibernated || cluster.status !== 'ready' || cluster.currentOperationId) continue;
        try {
          await suspendIfIdle(cluster);
        } catch (error) {
          logger.warn(`Could not decide whether ${cluster.name} is idle: ${stringifyError(error)}`);
        }
      }
    },
  });
}
