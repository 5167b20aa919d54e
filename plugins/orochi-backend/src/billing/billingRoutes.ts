import { AuditorServiceEventSeverityLevel, BackstageCredentials } from '@backstage/backend-plugin-api';
import express, { Request } from 'express';
import { BillingService } from './BillingService';
import { BillingWebhooks } from './BillingWebhooks';

type Audited = <T>(req: Request, eventId: string, severity: AuditorServiceEventSeverityLevel, fn: () => Promise<T>) => Promise<T>;

/** The billing routes of the REST API, on the plugin's validated router. */
export function addBillingRoutes(
  router: express.Router,
  options: { billing: BillingService; credentials: (req: Request) => Promise<BackstageCredentials>; audited: Audited },
) {
  const { billing, credentials, audited } = options;
  router.get('/clusters/:clusterId/usage', async (req, res) => {
    res.json(await billing.clusterUsage(await credentials(req), req.params.clusterId, req.query));
  });
  router.get('/billing/accounts/:group', async (req, res) => {
    res.json(await billing.summary(await credentials(req), req.params.group));
  });
  router.patch('/billing/accounts/:group', async (req, res) => {
    const caller = await credentials(req);
    res.json(await audited(req, 'billing-account-update', 'high', () => billing.update(caller, req.params.group, req.body)));
  });
  router.get('/billing/accounts/:group/usage', async (req, res) => {
    res.json(await billing.usage(await credentials(req), req.params.group, req.query));
  });
  router.get('/billing/accounts/:group/clusters', async (req, res) => {
    res.json({ items: await billing.perCluster(await credentials(req), req.params.group) });
  });
  router.post('/billing/accounts/:group/checkout', async (req, res) => {
    const caller = await credentials(req);
    res.json(await audited(req, 'billing-checkout', 'medium', () => billing.checkout(caller, req.params.group, req.body)));
  });
  router.post('/billing/accounts/:group/portal', async (req, res) => {
    const caller = await credentials(req);
    res.json(await audited(req, 'billing-portal', 'medium', () => billing.portal(caller, req.params.group)));
  });
}

/**
 * The billing provider's webhook, mounted ahead of the API's JSON parsing: its signature is over the raw body.
 * It needs no Backstage token (its auth policy says so); the signature is its authentication.
 */
export function createWebhookRouter(webhooks: BillingWebhooks): express.Router {
  const router = express.Router();
  router.post('/billing/webhook', express.raw({ type: () => true, limit: '1mb' }), (req, res, next) => {
    // Express 4 does not see a rejected promise: the error goes to `next`, which answers it in Backstage's shape.
    webhooks.receive(req).then(() => res.json({ received: true }), next);
  });
  return router;
}
