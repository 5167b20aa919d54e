import { LoggerService } from '@backstage/backend-plugin-api';
import { stringifyError } from '@backstage/errors';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { Cluster } from '@orochi/backstage-plugin-orochi-common';

type NotificationPayload = Parameters<NotificationService['send']>[0]['payload'];

/**
 * Sends a Backstage notification to the cluster's owning group. One that cannot be sent is logged; it never stops
 * the work that wanted to tell them.
 */
export async function notifyOwners(
  deps: { notifications: NotificationService; logger: LoggerService },
  cluster: Pick<Cluster, 'owner' | 'name'>,
  payload: NotificationPayload & { topic: string; scope: string },
): Promise<void> {
  try {
    await deps.notifications.send({ recipients: { type: 'entity', entityRef: cluster.owner }, payload });
  } catch (error) {
    deps.logger.warn(`Could not notify ${cluster.owner} about ${cluster.name}: ${stringifyError(error)}`);
  }
}
