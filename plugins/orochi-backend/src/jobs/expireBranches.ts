import { LoggerService, SchedulerService, SchedulerServiceTaskScheduleDefinition } from '@backstage/backend-plugin-api';
import { stringifyError } from '@backstage/errors';
import { AUTOMATIC_REQUESTERS, clusterSpecOf, isBranchOf } from '@orochi/backstage-plugin-orochi-common';
import { BranchNotifier } from '../backups/BranchNotifier';
import { BranchWarningStore } from '../database/BranchWarningStore';
import { OrochiStore } from '../database/OrochiStore';
import { ClusterOperations } from '../operations/ClusterOperations';

export const BRANCH_EXPIRY_TASK_ID = 'orochi-branch-expiry';

/**
 * Once per schedule across replicas: warns the owners of branches that expire within `warnBeforeMs` (once per
 * expiry), and deletes expired branches through ordinary delete operations started by `orochi:branch-expiry`.
 * A branch that has branches of its own waits until they are gone, as a person's delete would.
 */
export async function scheduleBranchExpiry(options: {
  scheduler: SchedulerService;
  store: OrochiStore;
  operations: ClusterOperations;
  warnings: BranchWarningStore;
  notifier: BranchNotifier;
  logger: LoggerService;
  schedule: SchedulerServiceTaskScheduleDefinition;
  warnBeforeMs: number;
  clock?: () => number;
}): Promise<void> {
  const { scheduler, store, operations, warnings, notifier, logger, schedule, warnBeforeMs, clock = Date.now } = options;
  await scheduler.scheduleTask({
    id: BRANCH_EXPIRY_TASK_ID,
    ...schedule,
    scope: 'global',
    fn: async () => {
      const clusters = await store.listAllClusters();
      for (const branch of clusters) {
        if (branch.parent?.kind !== 'branch' || !branch.expiresAt) continue;
        const now = clock();
        const expiresAt = Date.parse(branch.expiresAt);
        try {
          if (expiresAt > now) {
            if (expiresAt - warnBeforeMs <= now && (await warnings.claim(branch.id, branch.expiresAt, now))) {
              await notifier.willExpire(branch);
            }
            continue;
          }
          if (branch.currentOperationId || clusters.some(c => isBranchOf(c, branch.id))) continue;
          const started = await operations.startIfUnchanged(branch, { type: 'delete', parameters: {} }, clusterSpecOf(branch), {
            requestedBy: AUTOMATIC_REQUESTERS.branchExpiry,
            reason: `the branch expired at ${branch.expiresAt}`,
          });
          if (started) logger.info(`Deleting branch ${branch.name}: it expired at ${branch.expiresAt}`);
        } catch (error) {
          logger.warn(`Could not expire branch ${branch.name}: ${stringifyError(error)}`);
        }
      }
      await warnings.forgetAllBut(clusters.map(c => c.id));
    },
  });
}
