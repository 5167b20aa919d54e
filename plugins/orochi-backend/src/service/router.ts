import {
  AuditorService,
  AuditorServiceEventSeverityLevel,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { createValidatedOpenApiRouter } from '@backstage/backend-openapi-utils';
import { ClusterChange, ClusterStatus, orphansReadPermission } from '@orochi/backstage-plugin-orochi-common';
import express, { Request, Response } from 'express';
import { spec } from '../schema/openapi.generated';
import { BackupService } from '../backups/BackupService';
import { RestoreService } from '../backups/RestoreService';
import { AutoscalingService } from '../autoscaling/AutoscalingService';
import { OrphanTracker } from '../engine/OrphanTracker';
import { WakeOnConnectService } from '../scaleToZero/WakeOnConnectService';
import { addBillingRoutes } from '../billing/billingRoutes';
import { BillingService } from '../billing/BillingService';
import { ClusterAuthorizer } from './ClusterAuthorizer';
import { ClusterService } from './ClusterService';
import { validateBodies } from './validateBodies';

function list(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

/**
 * The REST API under /api/orochi, as orochi-common's route table defines it (generated into
 * src/schema/openapi.yaml and the typed `spec`). Requests are validated against the spec, then by the domain
 * schemas in the service; every mutation and credential reveal is audited.
 */
export async function createRouter(options: {
  service: ClusterService;
  backups: BackupService;
  restores: RestoreService;
  autoscaling: AutoscalingService;
  wakeOnConnect: WakeOnConnectService;
  orphans: OrphanTracker;
  billing: BillingService;
  authorizer: ClusterAuthorizer;
  httpAuth: HttpAuthService;
  auditor: AuditorService;
}): Promise<express.Router> {
  const { service, backups, restores, autoscaling, wakeOnConnect, orphans, billing, authorizer, httpAuth, auditor } = options;
  const router = createValidatedOpenApiRouter(spec, { middleware: validateBodies() });
  const credentials = (req: Request) => httpAuth.credentials(req, { allow: ['user', 'service'] });

  /** Records an auditor event around a mutation: success with its outcome, or failure with the error. */
  async function audited<T>(
    req: Request,
    eventId: string,
    severityLevel: AuditorServiceEventSeverityLevel,
    fn: () => Promise<T>,
  ): Promise<T> {
    const event = await auditor.createEvent({
      eventId,
      severityLevel,
      request: req,
      meta: { clusterId: req.params.clusterId ?? null, ...(req.params.group ? { group: req.params.group } : {}) },
    });
    try {
      const result = await fn();
      const operation = (result as { operation?: { id: string } } | undefined)?.operation;
      await event.success({ meta: operation ? { operationId: operation.id } : {} });
      return result;
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  }

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/config', async (req, res) => {
    await credentials(req);
    res.json(service.offering);
  });

  router.get('/clusters', async (req, res) => {
    const query = req.query as Record<string, unknown>;
    const page = await service.list(await credentials(req), {
      owner: list(query.owner),
      status: list(query.status) as ClusterStatus[] | undefined,
      search: query.search as string | undefined,
      limit: query.limit !== undefined ? Number(query.limit) : undefined,
      offset: query.offset !== undefined ? Number(query.offset) : undefined,
    });
    res.json(page);
  });

  /** Every change answers 202 with the cluster and the operation that carries it out, audited. */
  const change =
    (eventId: string, severity: AuditorServiceEventSeverityLevel, fn: (req: Request) => Promise<ClusterChange>) =>
    async (req: Request, res: Response) => {
      res.status(202).json(await audited(req, eventId, severity, () => fn(req)));
    };

  router.post(
    '/clusters',
    change('cluster-create', 'medium', async req =>
      service.create(await credentials(req), req.body, req.header('Idempotency-Key')),
    ),
  );
  router.get('/clusters/:clusterId', async (req, res) => {
    res.json(await service.get(await credentials(req), req.params.clusterId));
  });
  router.patch(
    '/clusters/:clusterId',
    change('cluster-update', 'medium', async req =>
      service.update(await credentials(req), req.params.clusterId, req.body),
    ),
  );
  router.delete(
    '/clusters/:clusterId',
    change('cluster-delete', 'high', async req => service.delete(await credentials(req), req.params.clusterId)),
  );
  router.post(
    '/clusters/:clusterId/hibernate',
    change('cluster-hibernate', 'medium', async req => service.hibernate(await credentials(req), req.params.clusterId)),
  );
  router.post(
    '/clusters/:clusterId/wake',
    change('cluster-wake', 'medium', async req => service.wake(await credentials(req), req.params.clusterId)),
  );

  router.post('/clusters/:clusterId/wake-on-connect', async (req, res) => {
    // The proxy holds its client while this waits; a proxy that gives up stops the wait, not the wake.
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    const { clusterId } = req.params;
    const caller = await credentials(req);
    await audited(req, 'cluster-wake-on-connect', 'low', () => wakeOnConnect.wake(caller, clusterId, gone.signal));
    res.json(await service.get(caller, clusterId));
  });

  router.get('/clusters/:clusterId/operations', async (req, res) => {
    const items = await service.listOperations(await credentials(req), req.params.clusterId);
    res.json({ items });
  });

  router.get('/clusters/:clusterId/metrics', async (req, res) => {
    const minutes = req.query.minutes === undefined ? 60 : Number(req.query.minutes);
    res.json(await service.metrics(await credentials(req), req.params.clusterId, minutes));
  });

  router.get('/clusters/:clusterId/autoscaling/decisions', async (req, res) => {
    const minutes = req.query.minutes === undefined ? 60 : Number(req.query.minutes);
    res.json({ items: await autoscaling.decisions(await credentials(req), req.params.clusterId, minutes) });
  });

  router.get('/clusters/:clusterId/credentials', async (req, res) => {
    const details = await audited(req, 'cluster-credentials-read', 'high', async () =>
      service.revealCredentials(await credentials(req), req.params.clusterId),
    );
    res.setHeader('Cache-Control', 'no-store');
    res.json(details);
  });

  router.post(
    '/clusters/:clusterId/backups',
    change('cluster-backup', 'medium', async req => backups.backupNow(await credentials(req), req.params.clusterId)),
  );
  router.get('/clusters/:clusterId/backups', async (req, res) => {
    res.json({ items: await backups.list(await credentials(req), req.params.clusterId) });
  });
  router.get('/clusters/:clusterId/recovery-window', async (req, res) => {
    res.json(await backups.recoveryWindow(await credentials(req), req.params.clusterId));
  });
  router.post(
    '/clusters/:clusterId/restore',
    change('cluster-restore', 'medium', async req =>
      restores.restore(await credentials(req), req.params.clusterId, req.body, req.header('Idempotency-Key')),
    ),
  );
  router.post(
    '/clusters/:clusterId/branches',
    change('cluster-branch-create', 'medium', async req =>
      restores.branch(await credentials(req), req.params.clusterId, req.body, req.header('Idempotency-Key')),
    ),
  );
  router.get('/clusters/:clusterId/branches', async (req, res) => {
    res.json({ items: await restores.listBranches(await credentials(req), req.params.clusterId) });
  });

  router.get('/operations/:operationId', async (req, res) => {
    res.json(await service.getOperation(await credentials(req), req.params.operationId));
  });

  router.get('/orphans', async (req, res) => {
    await authorizer.authorizeBasic(
      orphansReadPermission,
      await credentials(req),
      'orphaned driver resources are listed for platform admins',
    );
    res.json({ items: await orphans.list() });
  });

  router.get('/deleted-clusters', async (req, res) => {
    res.json({ items: await restores.listDeleted(await credentials(req)) });
  });
  router.post(
    '/deleted-clusters/:clusterId/restore',
    change('cluster-restore-deleted', 'high', async req =>
      restores.restoreDeleted(await credentials(req), req.params.clusterId, req.body, req.header('Idempotency-Key')),
    ),
  );

  addBillingRoutes(router, { billing, credentials, audited });

  return router;
}
