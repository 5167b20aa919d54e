import { LoggerService } from '@backstage/backend-plugin-api';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { Cluster, clusterPagePath } from '@orochi/backstage-plugin-orochi-common';
import { notifyOwners } from '../service/notifyOwners';

/** The notification topic of branch lifecycle messages, which users can mute in their settings. */
export const BRANCH_NOTIFICATION_TOPIC = 'orochi-branch-expiry';

/**
 * Tells a branch's owning group, through Backstage notifications, that the branch will soon expire and that it
 * was deleted. A notification that cannot be sent is logged; it never stops the expiry.
 */
export class BranchNotifier {
  readonly #notifications: NotificationService;
  readonly #logger: LoggerService;

  constructor(options: { notifications: NotificationService; logger: LoggerService }) {
    this.#notifications = options.notifications;
    this.#logger = options.logger;
  }

  willExpire(branch: Cluster): Promise<void> {
    return this.#send(branch, {
      title: `Branch ${branch.name} expires at ${branch.expiresAt}`,
      description:
        `The branch ${branch.name} of ${branch.parent?.clusterName} will be deleted with its data when it expires. ` +
        'Extend it or detach it on its page to keep it.',
      link: clusterPagePath(branch.id),
      severity: 'normal',
    });
  }

  deleted(branch: Cluster): Promise<void> {
    return this.#send(branch, {
      title: `Branch ${branch.name} expired and was deleted`,
      description: `The branch ${branch.name} of ${branch.parent?.clusterName} reached its expiry (${branch.expiresAt}) and was deleted.`,
      link: branch.parent ? clusterPagePath(branch.parent.clusterId) : undefined,
      severity: 'low',
    });
  }

  #send(branch: Cluster, payload: { title: string; description: string; link?: string; severity: 'low' | 'normal' }) {
    return notifyOwners(
      { notifications: this.#notifications, logger: this.#logger },
      branch,
      { ...payload, topic: BRANCH_NOTIFICATION_TOPIC, scope: `orochi-branch:${branch.id}` },
    );
  }
}
