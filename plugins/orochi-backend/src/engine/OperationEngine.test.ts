import { mockServices } from '@backstage/backend-test-utils';
import { clusterSpec, createTestDatabases, eventually } from '@orochi/test-utils';
import { randomUUID } from 'node:crypto';
import { DatabaseOrochiStore } from '../database/DatabaseOrochiStore';
import { OrochiStore } from '../database/OrochiStore';
import { OperationHandler } from '../operations/OperationHandler';
import { OperationHandlers } from '../operations/OperationHandlers';
import { LeaseLostError } from './LeaseKeeper';
import { OperationEngine } from './OperationEngine';

jest.setTimeout(60_000);

const databases = createTestDatabases();

async function setup(handler: OperationHandler<'create'>, store?: (real: OrochiStore) => OrochiStore, maxAttempts = 3) {
  const knex = await databases.init('SQLITE_3');
  const real = await DatabaseOrochiStore.create({ database: mockServices.database({ knex }) });
  const { operation, cluster } = await real.createCluster(
    { id: randomUUID(), spec: clusterSpec('orders-db'), status: 'provisioning', driver: 'local', database: 'app', user: 'app', createdBy: 'user:default/pat' },
    { id: randomUUID(), request: { type: 'create', parameters: {} }, requestedBy: 'user:default/pat' },
  );
  const engine = new OperationEngine({
    store: store ? store(real) : real,
    handlers: new OperationHandlers([handler]),
    logger: mockServices.logger.mock(),
    leaseSeconds: 0.3,
    maxAttempts,
    concurrency: 4,
  });
  return { knex, store: real, engine, operationId: operation.id, clusterId: cluster.id };
}

describe('OperationEngine', () => {
  it('aborts a run whose lease it cannot renew, and never runs the same operation twice at once', async () => {
    let renewalsFail = true;
    let running = 0;
    let mostAtOnce = 0;
    let runs = 0;
    const abortReasons: unknown[] = [];
    const handler: OperationHandler<'create'> = {
      type: 'create',
      async run({ context }) {
        runs++;
        running++;
        mostAtOnce = Math.max(mostAtOnce, running);
        try {
          if (runs === 1) {
            // The first run works until it is told to stop, as a long driver step would; later ones finish at once.
            await new Promise((_resolve, reject) =>
              context.signal.addEventListener('abort', () => reject(context.signal.reason), { once: true }),
            );
          }
          return { clusterStatus: 'ready' };
        } catch (error) {
          abortReasons.push(error);
          throw error;
        } finally {
          running--;
        }
      },
    };
    const { engine, store, operationId, clusterId } = await setup(handler, real =>
      new Proxy(real, {
        get: (target, name: keyof OrochiStore) =>
          name === 'renewLease'
            ? (...args: Parameters<OrochiStore['renewLease']>) =>
                renewalsFail ? Promise.reject(new Error('database unreachable')) : target.renewLease(...args)
            : target[name].bind(target),
      }),
    );

    // The scheduler keeps asking the engine to claim while the first run cannot renew its lease.
    await eventually('the run to be aborted', async () => {
      await engine.claimAndDispatch();
      return abortReasons.length > 0 ? true : undefined;
    });
    expect(abortReasons[0]).toBeInstanceOf(LeaseLostError);
    expect(mostAtOnce).toBe(1);

    // Once the database answers again, the operation resumes and finishes, one run at a time.
    renewalsFail = false;
    await eventually('the operation to succeed', async () => {
      await engine.claimAndDispatch();
      return (await store.getOperation(operationId))?.state === 'succeeded' ? true : undefined;
    });
    expect(mostAtOnce).toBe(1);
    expect(runs).toBeGreaterThanOrEqual(2);
    expect(await store.getCluster(clusterId)).toMatchObject({ status: 'ready' });
    await engine.stop();
  });

  it('fails an operation whose stored parameters do not match its type, without running it', async () => {
    const run = jest.fn();
    const { knex, engine, store, operationId, clusterId } = await setup({ type: 'create', run });
    // A row written by something else (an older backend, a hand edit): the engine validates before it runs.
    await knex('operations').where({ id: operationId }).update({ parameters: JSON.stringify({ size: 'huge' }) });
    await engine.claimAndDispatch();
    await eventually('the operation to fail', async () =>
      (await store.getOperation(operationId))?.state === 'failed' ? true : undefined,
    );
    expect(run).not.toHaveBeenCalled();
    expect((await store.getOperation(operationId))?.error).toMatch(/Invalid parameters: size: unknown field/);
    expect(await store.getCluster(clusterId)).toMatchObject({ status: 'failed' });
    await engine.stop();
  });

  it('records a failure without the file paths of the backend host', async () => {
    const failing: OperationHandler<'create'> = {
      type: 'create',
      async run({ context }) {
        return context.step('Start primary', async () => {
          throw new Error('pg_ctl: could not start server; examine /var/lib/orochi/clusters/c1/server.log');
        });
      },
    };
    const { engine, store, operationId } = await setup(failing, undefined, 1);
    await engine.claimAndDispatch();
    const failed = await eventually('the operation to fail', async () => {
      const operation = await store.getOperation(operationId);
      return operation?.state === 'failed' ? operation : undefined;
    });
    expect(failed.error).toBe('Error: pg_ctl: could not start server; examine server.log');
    expect(failed.steps).toEqual([expect.objectContaining({ name: 'Start primary', state: 'failed', message: failed.error })]);
    await engine.stop();
  });

  it('fails an operation of a type no handler is registered for', async () => {
    const { engine, store, operationId } = await setup({ type: 'create', run: jest.fn() });
    await engine.stop();
    const other = new OperationEngine({
      store,
      handlers: new OperationHandlers([]),
      logger: mockServices.logger.mock(),
      leaseSeconds: 30,
      maxAttempts: 3,
      concurrency: 1,
    });
    await other.claimAndDispatch();
    await eventually('the operation to fail', async () =>
      (await store.getOperation(operationId))?.state === 'failed' ? true : undefined,
    );
    expect((await store.getOperation(operationId))?.error).toBe('This backend cannot run create operations');
    await other.stop();
  });
});
