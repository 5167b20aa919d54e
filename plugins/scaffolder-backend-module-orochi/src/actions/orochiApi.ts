import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import { ActionContext } from '@backstage/plugin-scaffolder-node';
import { clusterPagePath, describeApiError, Operation, OrochiApi, OrochiClient } from '@orochi/backstage-plugin-orochi-common';

/** What every Orochi action needs: the API, and Backstage's auth to call it as the template's user. */
export interface OrochiActionDeps {
  auth: AuthService;
  discovery: DiscoveryService;
  /** The portal's frontend, for links to the cluster's Orochi page. */
  appBaseUrl: string;
  /** Replaces the HTTP client (tests). */
  api?: OrochiApi;
}

/** The cluster id a dry run outputs for the cluster it would create. */
export const DRY_RUN_CLUSTER_ID = 'dry-run';

/** Where a cluster is shown in the portal, with its connection details (the password on request). */
export function clusterPageUrl(appBaseUrl: string, clusterId: string) {
  return `${appBaseUrl}${clusterPagePath(clusterId)}`;
}

export function orochiApi(deps: OrochiActionDeps): OrochiApi {
  return deps.api ?? new OrochiClient({ discoveryApi: deps.discovery });
}

/**
 * A token for the Orochi API on behalf of the user who runs the template, so their permissions apply. Fetched
 * per call: waiting for a cluster can outlast a token.
 */
export async function userToken(deps: OrochiActionDeps, ctx: ActionContext<any, any>): Promise<string> {
  const { token } = await deps.auth.getPluginRequestToken({
    onBehalfOf: await ctx.getInitiatorCredentials(),
    targetPluginId: 'orochi',
  });
  return token;
}

/** Turns an error answer of the Orochi API into a failure the template's user can read. */
export async function explained<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ResponseError) {
      throw new Error(`${what} was refused by Orochi (${error.statusCode} ${error.body.error.name}): ${describeApiError(error)}`);
    }
    throw error;
  }
}

/**
 * Waits for an operation to end, logging each step as it finishes so the task log shows the progress.
 * Throws when the operation fails or the timeout passes.
 */
export async function waitForOperation(options: {
  api: OrochiApi;
  token: () => Promise<string>;
  operationId: string;
  timeoutSeconds: number;
  logger: ActionContext<any, any>['logger'];
  signal?: AbortSignal;
  pollMs?: number;
}): Promise<Operation> {
  const { api, token, operationId, timeoutSeconds, logger, signal } = options;
  const deadline = Date.now() + timeoutSeconds * 1000;
  const logged = new Set<string>();
  for (;;) {
    const operation = await explained('Reading the operation', async () =>
      api.getOperation(operationId, { token: await token() }),
    );
    for (const step of operation.steps) {
      const key = `${operation.attempts}:${step.name}:${step.state}`;
      if (step.state === 'running' || logged.has(key)) continue;
      logged.add(key);
      const seconds = step.startedAt && step.finishedAt
        ? ` (${((Date.parse(step.finishedAt) - Date.parse(step.startedAt)) / 1000).toFixed(1)} s)`
        : '';
      logger.info(`${step.state === 'succeeded' ? '✓' : '✗'} ${step.name}${seconds}${step.message ? `: ${step.message}` : ''}`);
    }
    if (operation.state === 'succeeded') return operation;
    if (operation.state === 'failed') {
      throw new Error(`The ${operation.type} of ${operation.clusterName} failed: ${operation.error}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`The ${operation.type} of ${operation.clusterName} did not finish within ${timeoutSeconds} s`);
    }
    signal?.throwIfAborted();
    await new Promise(r => setTimeout(r, options.pollMs ?? 1000));
  }
}
