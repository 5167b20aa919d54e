import {
  AuditorService,
  DatabaseService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { stringifyError } from '@backstage/errors';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { Offering } from '@orochi/backstage-plugin-orochi-common';
import { BillingProvider, ClusterDriver } from '@orochi/backstage-plugin-orochi-node';
import express from 'express';
import { OrochiConfig } from '../config';
import { DatabaseBillingAccountStore } from '../database/BillingAccountStore';
import { DatabaseMeterEventStore } from '../database/MeterEventStore';
import { OrochiStore } from '../database/OrochiStore';
import { DatabaseUsageStore } from '../database/UsageStore';
import { scheduleMetering } from '../jobs/meterUsage';
import { ClusterOperations } from '../operations/ClusterOperations';
import { ClusterAccess } from '../service/ClusterAccess';
import { ClusterAuthorizer } from '../service/ClusterAuthorizer';
import { notifyOwners } from '../service/notifyOwners';
import { BILLING_NOTIFICATION_TOPIC, BillingEnforcer, BillingNotice } from './BillingEnforcer';
import { BillingService } from './BillingService';
import { createWebhookRouter } from './billingRoutes';
import { BillingWebhooks } from './BillingWebhooks';
import { MeterEventOutbox } from './MeterEventOutbox';
import { UsageMeter } from './UsageMeter';
import { UsageRollup } from './UsageRollup';

export const BILLING_LIMITS_TASK_ID = 'orochi-billing-limits';

/**
 * Metering and billing, wired: the usage job, roll-ups, the limits job, and with a billing provider the outbox
 * delivery and the webhook. Answers the service the API serves and, with a provider, the webhook's router.
 */
export async function createBilling(deps: {
  config: OrochiConfig['billing'];
  database: DatabaseService;
  store: OrochiStore;
  driver: ClusterDriver;
  operations: ClusterOperations;
  offering: Offering;
  access: ClusterAccess;
  authorizer: ClusterAuthorizer;
  provider?: BillingProvider;
  scheduler: SchedulerService;
  notifications: NotificationService;
  auditor: AuditorService;
  logger: LoggerService;
}): Promise<{ service: BillingService; webhookRouter?: express.Router }> {
  const { config, database, store, driver, operations, offering, provider, scheduler, logger } = deps;
  const accounts = await DatabaseBillingAccountStore.create({ database });
  const usage = await DatabaseUsageStore.create({ database });
  const events = provider ? await DatabaseMeterEventStore.create({ database }) : undefined;
  const notify = (group: string, notice: BillingNotice) =>
    notifyOwners({ notifications: deps.notifications, logger }, { owner: group, name: 'billing' }, {
      ...notice,
      link: '/orochi/billing',
      topic: BILLING_NOTIFICATION_TOPIC,
      scope: `orochi-billing:${group}:${notice.title}`,
    });
  const enforcer = new BillingEnforcer({ accounts, usage, store, operations, offering, notify, logger });
  const reconsider = async (group: string) => {
    const account = await accounts.get(group);
    if (account) await enforcer.enforce(account);
  };

  await scheduleMetering({
    scheduler,
    meter: new UsageMeter({ store, usage, driver, logger }),
    rollup: new UsageRollup({ usage, events, rawRetentionMs: config.rawRetentionMs, retentionMs: config.retentionMs }),
    outbox: provider && events ? new MeterEventOutbox({ events, accounts, provider, logger }) : undefined,
    logger,
    schedules: { usage: config.usageSchedule, rollup: config.rollupSchedule, delivery: config.deliverySchedule },
  });
  await scheduler.scheduleTask({
    id: BILLING_LIMITS_TASK_ID,
    ...config.limitsSchedule,
    scope: 'global',
    fn: () => enforcer.enforceAll(),
  });
  const setupProblems = provider ? await checkedSetup(provider) : [];
  for (const problem of setupProblems) logger.warn(`Billing provider setup: ${problem}`);

  const service = new BillingService({
    accounts,
    usage,
    store,
    offering,
    access: deps.access,
    authorizer: deps.authorizer,
    provider,
    returnUrl: config.returnUrl,
    onPlanChanged: reconsider,
    setupProblems,
  });
  const webhookRouter = provider
    ? createWebhookRouter(
        new BillingWebhooks({
          provider,
          accounts,
          offering,
          auditor: deps.auditor,
          logger,
          onPlanChanged: reconsider,
          onPaymentFailed: group =>
            notify(group, {
              title: `${group}'s payment failed`,
              description: 'The billing provider could not collect the latest invoice; update the payment method in Manage billing.',
              severity: 'high',
            }),
        }),
      )
    : undefined;
  return { service, webhookRouter };
}

/** The provider's setup problems; one that cannot be checked (the provider is down at start) is one too. */
async function checkedSetup(provider: BillingProvider): Promise<string[]> {
  try {
    return await provider.checkSetup();
  } catch (error) {
    return [`the setup could not be checked at start: ${stringifyError(error)}`];
  }
}
