import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { ApiRoute, apiRoutes } from '@orochi/backstage-plugin-orochi-common';
import { exampleEntities, instantDriverModule, testDatabaseServiceFactory, waitForOperation } from '@orochi/test-utils';
import fc from 'fast-check';
import type { Server } from 'node:http';
import request from 'supertest';
import { z } from 'zod';
import { anyJson, hostileText, shapedLike } from './__testUtils__/arbitraries';
// The plugin itself, not the package's feature loader: the test backend must see it among the modules' plugins.
import { orochiPlugin } from './plugin';

jest.setTimeout(600_000);

/** Requests per run here; `OROCHI_FUZZ_RUNS` sets more (the 10,000, say). */
const RUNS = Number(process.env.OROCHI_FUZZ_RUNS ?? 1500);
const SEED = Number(process.env.OROCHI_FUZZ_SEED ?? 20261204);

/** Stands for the current target cluster (or its create operation) in generated paths. */
const TARGET = '@target';

/** What a caller can change; a refused request must leave it as it was. */
async function snapshot(server: Server): Promise<string> {
  const clusters = (await request(server).get('/api/orochi/clusters').query({ limit: 100 })).body.items as Array<Record<string, unknown>>;
  const account = (await request(server).get('/api/orochi/billing/accounts/team-payments')).body.account;
  return JSON.stringify({
    clusters: clusters.map(c => [c.id, c.name, c.status, c.updatedAt, c.currentOperationId ?? null]),
    account: account && [account.plan, account.budget ?? null, account.updatedAt],
  });
}

/** The names a route's 400 may name: its body's fields, query parameters, headers and path parameters. */
function fieldNames(route: ApiRoute): string[] {
  const keys = (schema?: z.ZodType) => {
    const def = (schema as unknown as { _zod?: { def?: { shape?: Record<string, unknown>; in?: z.ZodType } } })?._zod?.def;
    return Object.keys(def?.shape ?? {});
  };
  return [...keys(route.body), ...keys(route.query), ...keys(route.headers), ...(route.path.match(/\{(\w+)\}/g) ?? []).map(p => p.slice(1, -1))];
}

/**
 * Whether a 400 says which part of the request is wrong: one of the route's fields or parameters, or what it
 * stands for (`source: …` for the cluster a restore copies), the body, or the unknown field or parameter the request
 * sent (`color: unknown field`, `Unknown query parameter 'color'`).
 */
function namesAField(route: ApiRoute, message: string): boolean {
  if (fieldNames(route).some(name => message.includes(name))) return true;
  return /^[\w.]+: |: unknown field|query parameter '/.test(message);
}

describe('hostile input to every route', () => {
  let server: Server;
  let clusterId: string;
  let operationId: string;
  let targets = 0;

  beforeAll(async () => {
    ({ server } = await startTestBackend({
      features: [
        orochiPlugin,
        instantDriverModule,
        testDatabaseServiceFactory(),
        catalogServiceMock.factory({ entities: exampleEntities() }),
        mockServices.rootConfig.factory({ data: { orochi: { driver: 'instant', defaults: { plan: 'enterprise' } } } }),
      ],
    }));
    await newTarget();
  });

  /** A ready cluster the generated requests aim at (most of the time). */
  async function newTarget() {
    const created = await request(server).post('/api/orochi/clusters').send({ name: `fuzz-target-${++targets}`, owner: 'team-payments' });
    ({ id: clusterId } = created.body.cluster);
    operationId = created.body.operation.id;
    await waitForOperation(server, operationId);
  }

  it(`answers ${RUNS} generated requests without a 5xx, names the field of every 400, and changes nothing it refuses`, async () => {
    const counts = { '2xx': 0, '4xx': 0, '5xx': 0 };
    const byStatus = new Map<number, number>();
    const problems: string[] = [];
    const routes = apiRoutes.filter(route => route.operationId !== 'ReceiveBillingWebhook');
    const requestArbitrary = fc.constantFrom(...routes).chain(route =>
      fc.record({
        operation: fc.constant(route.operationId),
        clusterId: hostileText([TARGET]),
        operationId: hostileText([TARGET]),
        group: hostileText(['team-payments', 'group:default/team-payments', 'team-search']),
        query: route.query ? shapedLike(route.query) : fc.constant(undefined),
        body: route.body ? shapedLike(route.body) : fc.option(anyJson, { freq: 4 }),
        idempotencyKey: fc.option(fc.string({ maxLength: 260 }), { freq: 3 }),
      }),
    );

    await fc.assert(
      fc.asyncProperty(requestArbitrary, async generated => {
        const route = routes.find(r => r.operationId === generated.operation)!;
        // A generated request may delete the target: the next one aims at a new one.
        if ((await request(server).get(`/api/orochi/clusters/${clusterId}`)).status === 404) await newTarget();
        const path = route.path
          .replace('{clusterId}', encodeURIComponent(generated.clusterId === TARGET ? clusterId : generated.clusterId))
          .replace('{operationId}', encodeURIComponent(generated.operationId === TARGET ? operationId : generated.operationId))
          .replace('{group}', encodeURIComponent(generated.group));
        const before = await snapshot(server);
        let call = request(server)[route.method](`/api/orochi${path}`);
        if (generated.query && typeof generated.query === 'object' && !Array.isArray(generated.query)) {
          call = call.query(generated.query as Record<string, string>);
        }
        if (generated.idempotencyKey !== null) call = call.set('Idempotency-Key', generated.idempotencyKey);
        // Any JSON, objects or not, as a client would put it on the wire.
        const res = await (generated.body !== undefined && generated.body !== null
          ? call.set('Content-Type', 'application/json').send(JSON.stringify(generated.body))
          : call);
        byStatus.set(res.status, (byStatus.get(res.status) ?? 0) + 1);
        const label = `${route.method.toUpperCase()} ${path} ${JSON.stringify(generated.body)?.slice(0, 200)}`;
        if (res.status >= 500) {
          counts['5xx'] += 1;
          problems.push(`${res.status} for ${label}: ${JSON.stringify(res.body)}`);
          return;
        }
        if (res.status < 400) {
          counts['2xx'] += 1;
          return;
        }
        counts['4xx'] += 1;
        const message: string = res.body?.error?.message ?? '';
        if (res.status === 400 && !namesAField(route, message)) {
          problems.push(`a 400 that names no field for ${label}: ${message}`);
        }
        const after = await snapshot(server);
        if (after !== before) problems.push(`a refused ${label} (${res.status}) changed ${before} into ${after}`);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    // eslint-disable-next-line no-console
    console.log(
      `fuzzed ${RUNS} requests (seed ${SEED}) over ${routes.length} routes: ${counts['2xx']} × 2xx, ${counts['4xx']} × 4xx, ${counts['5xx']} × 5xx; ` +
        `by status ${JSON.stringify(Object.fromEntries([...byStatus].sort(([a], [b]) => a - b)))}`,
    );
    expect(problems.slice(0, 20)).toEqual([]);
    expect(counts['2xx']).toBeGreaterThan(RUNS / 20);
  });
});
