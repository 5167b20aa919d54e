import { OperationType } from '@orochi/backstage-plugin-orochi-common';
import { OperationHandler } from './OperationHandler';

/** The handler registered for each operation type; the engine dispatches through it. */
export class OperationHandlers {
  readonly #handlers = new Map<OperationType, OperationHandler>();

  constructor(handlers: OperationHandler<any>[] = []) {
    handlers.forEach(handler => this.register(handler));
  }

  register<T extends OperationType>(handler: OperationHandler<T>): void {
    if (this.#handlers.has(handler.type)) {
      throw new Error(`An operation handler for ${handler.type} is already registered`);
    }
    this.#handlers.set(handler.type, handler as unknown as OperationHandler);
  }

  get(type: OperationType): OperationHandler | undefined {
    return this.#handlers.get(type);
  }
}
