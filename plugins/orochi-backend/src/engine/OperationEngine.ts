import { LoggerService } from '@backstage/backend-plugin-api';
import { stringifyError } from '@backstage/errors';
import {
  Cluster,
  ClusterStatus,
  OperationStep,
} from '@orochi/backstage-plugin-orochi-common';
import {
  ClusterDriver,
  DriverCluster,
  DriverOperationContext,
} from '@orochi/backstage-plugin-orochi-node';
import { randomUUID } from 'node:crypto';
import { OperationRecord, OrochiStore } from '../database/OrochiStore';
import { toObserved } from './observation';

export interface OperationEngineOptions {
  store: OrochiStore;
  driver: ClusterDriver;
  logger: LoggerService;
  driverCluster(cluster: Cluster): DriverCluster;
  leaseSeconds: number;
  maxAttempts: number;
  readyTimeoutSeconds: number;
  /** Operations one worker runs at the same time; the rest wait for the next claim. */
  concurrency: number;
}

/** The status an operation leaves a cluster in when it succeeds. */
function settledStatus(cluster: Cluster): ClusterStatus {
  return cluster.hibernated ? 'hibernated' : 'ready';
}

class LeaseLostError extends Error {
  constructor(operationId: string) {
    super(`Lost the claim on operation ${operationId} to another worker`);
    this.name = 'LeaseLostError';
  }
}

/**
 * Executes operations through the driver. Any replica may run any operation: a worker claims it with a lease
 * it keeps renewing, so when a backend dies mid-operation, another (or the same after a restart) claims it once
 * the lease has expired and runs it again from the start. Driver methods are idempotent, which makes the re-run
 * finish the work rather than repeat it. Failed attempts are retried with backoff up to `maxAttempts`.
 */
export class OperationEngine {
  readonly #options: OperationEngineOptions;
  readonly #workerId = `worker-${randomUUID()}`;
  readonly #running = new Map<string, AbortController>();
  #claiming: Promise<void> | undefined;
  #claimAgain = false;
  #stopped = false;

  constructor(options: OperationEngineOptions) {
    this.#options = options;
  }

  /** Claims every runnable operation and starts it in the background; called on a schedule and after writes. */
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
    })().finally(() => {
      this.#claiming = undefined;
    });
    return this.#claiming;
  }

  /** Stops claiming and aborts running operations; their leases expire and they resume elsewhere or later. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const controller of this.#running.values()) controller.abort();
    await this.#claiming;
  }

  /** Ids of operations this worker is running now. */
  get runningOperationIds(): string[] {
    return [...this.#running.keys()];
  }

  async #claimLoop() {
    const { store, leaseSeconds, concurrency } = this.#options;
    while (this.#running.size < concurrency) {
      const operation = await store.claimOperation(this.#workerId, leaseSeconds * 1000);
      if (!operation) return;
      const controller = new AbortController();
      this.#running.set(operation.id, controller);
      this.#execute(operation, controller).finally(() => {
        this.#running.delete(operation.id);
        // A slot is free: take the next waiting operation now rather than on the next tick.
        void this.claimAndDispatch();
      });
    }
  }

  async #execute(operation: OperationRecord, controller: AbortController) {
    const { store, logger, leaseSeconds } = this.#options;
    const log = logger.child({ operationId: operation.id, clusterId: operation.clusterId });
    const leaseMs = leaseSeconds * 1000;
    const heartbeat = setInterval(async () => {
      try {
        if (!(await store.renewLease(operation.id, this.#workerId, leaseMs))) {
          controller.abort(new LeaseLostError(operation.id));
        }
      } catch (error) {
        log.warn(`Could not renew the lease: ${stringifyError(error)}`);
      }
    }, leaseMs / 3);

    log.info(`Running ${operation.type} of ${operation.clusterName} (attempt ${operation.attempts})`);
    try {
      await this.#perform(operation, controller.signal);
      log.info(`${operation.type} of ${operation.clusterName} succeeded`);
    } catch (error) {
      if (controller.signal.aborted) {
        // Shutting down or claimed by another worker: the operation stays running and resumes from its lease.
        log.info(`Stopped ${operation.type} of ${operation.clusterName}: ${stringifyError(controller.signal.reason ?? error)}`);
        return;
      }
      await this.#recordFailure(operation, error, log);
    } finally {
      clearInterval(heartbeat);
    }
  }

  async #perform(operation: OperationRecord, signal: AbortSignal) {
    const { store, driver } = this.#options;
    const cluster = await store.getCluster(operation.clusterId);
    if (!cluster) {
      // Only a delete that finished the driver's work but not the bookkeeping gets here.
      await store.finishOperation(operation.id, this.#workerId, {
        state: operation.type === 'delete' ? 'succeeded' : 'failed',
        ...(operation.type === 'delete' ? {} : { error: 'The cluster no longer exists' }),
      });
      return;
    }
    const target = this.#options.driverCluster(cluster);
    const ctx = this.#context(operation, signal);
    if (operation.type === 'delete') {
      await driver.delete(target, ctx);
      await store.finishOperation(operation.id, this.#workerId, {
        state: 'succeeded',
        deleteCluster: true,
      });
      return;
    }
    await driver.apply(target, ctx);
    const observation = await ctx.step(
      cluster.hibernated ? 'Confirm servers stopped' : 'Wait until ready',
      () => this.#waitUntilSettled(target, signal),
    );
    await store.updateObserved(cluster.id, toObserved(observation));
    await store.finishOperation(operation.id, this.#workerId, {
      state: 'succeeded',
      clusterStatus: settledStatus(cluster),
    });
  }

  /** Records each driver step on the operation, so progress is visible and survives the worker. */
  #context(operation: OperationRecord, signal: AbortSignal): DriverOperationContext {
    const { store } = this.#options;
    const steps: OperationStep[] = [];
    const record = () => store.recordSteps(operation.id, this.#workerId, steps);
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
          step.message = stringifyError(error);
          throw error;
        } finally {
          step.finishedAt = new Date().toISOString();
          await record();
        }
      },
    };
  }

  async #waitUntilSettled(target: DriverCluster, signal: AbortSignal) {
    const { driver, readyTimeoutSeconds } = this.#options;
    const deadline = Date.now() + readyTimeoutSeconds * 1000;
    for (;;) {
      const observation = await driver.observe(target);
      const settled = target.spec.hibernated
        ? observation.phase === 'stopped'
        : observation.phase === 'running' &&
          observation.readyInstances >= target.spec.instances;
      if (settled) return observation;
      if (Date.now() > deadline) {
        throw new Error(
          `The cluster did not settle within ${readyTimeoutSeconds}s: ${observation.phase}, ` +
            `${observation.readyInstances} of ${target.spec.instances} instances ready`,
        );
      }
      await new Promise(r => setTimeout(r, 500));
      signal.throwIfAborted();
    }
  }

  async #recordFailure(operation: OperationRecord, error: unknown, log: LoggerService) {
    const { store, maxAttempts } = this.#options;
    const message = stringifyError(error);
    try {
      if (operation.attempts < maxAttempts) {
        const backoffMs = 2 ** operation.attempts * 1000;
        log.warn(`${operation.type} attempt ${operation.attempts} failed, retrying in ${backoffMs / 1000}s: ${message}`);
        await store.retryOperation(operation.id, this.#workerId, message, Date.now() + backoffMs);
      } else {
        log.error(`${operation.type} of ${operation.clusterName} failed: ${message}`);
        await store.finishOperation(operation.id, this.#workerId, {
          state: 'failed',
          error: message,
          clusterStatus: 'failed',
        });
      }
    } catch (bookkeeping) {
      log.error(`Could not record the failure of ${operation.id}: ${stringifyError(bookkeeping)}`);
    }
  }
}
