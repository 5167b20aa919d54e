import { LoggerService } from '@backstage/backend-plugin-api';
import { stringifyError } from '@backstage/errors';
import {
  describeValidationError,
  operationParametersSchemas,
  OperationStep,
} from '@orochi/backstage-plugin-orochi-common';
import { DriverOperationContext } from '@orochi/backstage-plugin-orochi-node';
import { randomUUID } from 'node:crypto';
import { ClaimedOperation, OrochiStore } from '../database/OrochiStore';
import { OperationHandlers } from '../operations/OperationHandlers';
import { toDriverCluster } from './driverCluster';
import { LeaseKeeper } from './LeaseKeeper';
import { publicMessage } from './publicMessage';

export interface OperationEngineOptions {
  store: OrochiStore;
  handlers: OperationHandlers;
  logger: LoggerService;
  leaseSeconds: number;
  maxAttempts: number;
  /** Operations one worker runs at the same time; the rest wait for the next claim. */
  concurrency: number;
}

/**
 * Runs operations through the handler registered for their type. Any replica may run any operation: a worker
 * claims it with a lease it keeps renewing, so when a backend dies mid-operation, another (or the same after a
 * restart) claims it once the lease has expired and runs it again from the start; handlers converge, which
 * makes the re-run finish the work rather than repeat it. A run whose lease is lost is aborted, so one
 * operation never runs twice at once. Failed attempts are retried with backoff up to `maxAttempts`.
 */
export class OperationEngine {
  readonly #options: OperationEngineOptions;
  readonly #workerId = `worker-${randomUUID()}`;
  readonly #running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  #claiming: Promise<void> | undefined;
  #claimAgain = false;
  #stopped = false;

  constructor(options: OperationEngineOptions) {
    this.#options = options;
  }

  /**
   * Claims every runnable operation and starts it in the background; called on a schedule and after writes.
   * Never rejects: callers fire and forget, and a failed claim (the database away) is logged and tried again on
   * the next tick.
   */
  claimAndDispatch(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (this.#claiming) {
      // One claim loop at a time per worker; a call during a loop makes it look once more before it ends.
      this.#claimAgain = true;
      return this.#claiming;
    }
    this.#claiming = (async () => {
      do {
        this.#claimAgain = false;
        await this.#claimLoop();
      } while (this.#claimAgain && !this.#stopped);
    })()
      .catch(error => this.#options.logger.warn(`Could not claim operations: ${stringifyError(error)}`))
      .finally(() => {
        this.#claiming = undefined;
      });
    return this.#claiming;
  }

  /**
   * Stops claiming and aborts running operations, and waits until they have stopped, so nothing touches the
   * database after shutdown; their leases expire and they resume elsewhere or after a restart.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    const running = [...this.#running.values()];
    for (const { controller } of running) controller.abort(new Error('The backend is shutting down'));
    await this.#claiming;
    await Promise.all(running.map(r => r.done));
  }

  /** Ids of operations this worker is running now. */
  get runningOperationIds(): string[] {
    return [...this.#running.keys()];
  }

  async #claimLoop() {
    const { store, leaseSeconds, concurrency } = this.#options;
    while (this.#running.size < concurrency && !this.#stopped) {
      // What this worker still runs (even while an aborted run winds down) is never claimed a second time.
      const operation = await store.claimOperation(this.#workerId, leaseSeconds * 1000, this.runningOperationIds);
      if (!operation) return;
      const controller = new AbortController();
      const done = this.#execute(operation, controller)
        .catch(error => this.#options.logger.error(`Operation ${operation.id} stopped unexpectedly: ${stringifyError(error)}`))
        .finally(() => {
          this.#running.delete(operation.id);
          // A slot is free: take the next waiting operation now rather than on the next tick.
          void this.claimAndDispatch();
        });
      this.#running.set(operation.id, { controller, done });
    }
  }

  async #execute(operation: ClaimedOperation, controller: AbortController) {
    const { store, logger, leaseSeconds } = this.#options;
    const log = logger.child({ operationId: operation.id, clusterId: operation.clusterId });
    const lease = new LeaseKeeper({
      renew: () => store.renewLease(operation.id, operation.leaseToken, leaseSeconds * 1000),
      leaseMs: leaseSeconds * 1000,
      onLost: reason => controller.abort(reason),
      logger: log,
    });
    log.info(`Running ${operation.type} of ${operation.clusterName} (attempt ${operation.attempts})`);
    try {
      await this.#perform(operation, controller.signal);
      log.info(`${operation.type} of ${operation.clusterName} succeeded`);
    } catch (error) {
      if (controller.signal.aborted) {
        // Shutting down or the lease is lost: the operation resumes from its lease, here or on another worker.
        log.info(`Stopped ${operation.type} of ${operation.clusterName}: ${stringifyError(controller.signal.reason ?? error)}`);
        return;
      }
      await this.#recordFailure(operation, error, log);
    } finally {
      lease.stop();
    }
  }

  async #perform(operation: ClaimedOperation, signal: AbortSignal) {
    const { store, handlers } = this.#options;
    const finish = store.finishOperation.bind(store, operation.id, operation.leaseToken);
    const handler = handlers.get(operation.type);
    if (!handler) {
      await finish({ state: 'failed', error: `This backend cannot run ${operation.type} operations`, clusterStatus: 'failed' });
      return;
    }
    const parameters = operationParametersSchemas[operation.type].safeParse(operation.parameters);
    if (!parameters.success) {
      await finish({
        state: 'failed',
        error: `Invalid parameters: ${describeValidationError(parameters.error)}`,
        clusterStatus: 'failed',
      });
      return;
    }
    const cluster = await store.getCluster(operation.clusterId);
    if (!cluster) {
      await finish(
        handler.whenClusterGone === 'succeeded'
          ? { state: 'succeeded' }
          : { state: 'failed', error: 'The cluster no longer exists' },
      );
      return;
    }
    const result = await handler.run({
      operation,
      parameters: parameters.data,
      cluster,
      target: toDriverCluster(cluster),
      context: this.#context(operation, signal),
    });
    signal.throwIfAborted();
    await finish({
      state: 'succeeded',
      ...('deleteCluster' in result ? { deleteCluster: true } : { clusterStatus: result.clusterStatus }),
    });
  }

  /** Records each step on the operation, so progress is visible and survives the worker. */
  #context(operation: ClaimedOperation, signal: AbortSignal): DriverOperationContext {
    const { store } = this.#options;
    const steps: OperationStep[] = [];
    const record = () => store.recordSteps(operation.id, operation.leaseToken, steps);
    return {
      signal,
      step: async (name, fn) => {
        signal.throwIfAborted();
        const step: OperationStep = { name, state: 'running', startedAt: new Date().toISOString() };
        steps.push(step);
        await record();
        try {
          const result = await fn();
          step.state = 'succeeded';
          return result;
        } catch (error) {
          step.state = 'failed';
          step.message = publicMessage(error);
          throw error;
        } finally {
          step.finishedAt = new Date().toISOString();
          await record();
        }
      },
    };
  }

  async #recordFailure(operation: ClaimedOperation, error: unknown, log: LoggerService) {
    const { store, maxAttempts, handlers } = this.#options;
    // The log has the whole story; the operation, which callers see, has it without the host's file paths.
    const message = publicMessage(error);
    try {
      if (operation.attempts < maxAttempts) {
        const backoffMs = 2 ** operation.attempts * 1000;
        log.warn(`${operation.type} attempt ${operation.attempts} failed, retrying in ${backoffMs / 1000}s: ${stringifyError(error)}`);
        await store.retryOperation(operation.id, operation.leaseToken, message, Date.now() + backoffMs);
      } else {
        log.error(`${operation.type} of ${operation.clusterName} failed: ${stringifyError(error)}`);
        await store.finishOperation(operation.id, operation.leaseToken, {
          state: 'failed',
          error: message,
          clusterStatus: handlers.get(operation.type)?.clusterStatusWhenFailed ?? 'failed',
        });
      }
    } catch (bookkeeping) {
      log.error(`Could not record the failure of ${operation.id}: ${stringifyError(bookkeeping)}`);
    }
  }
}
