import { mockServices } from '@backstage/backend-test-utils';
import { OrochiStore } from '../database/OrochiStore';
import { PRUNE_OPERATIONS_TASK_ID, schedulePruneOperations } from './pruneOperations';

describe('schedulePruneOperations', () => {
  it('runs once per schedule across replicas and prunes what finished before the retention', async () => {
    const scheduler = mockServices.scheduler.mock();
    const pruneOperations = jest.fn(async () => 3);
    const now = Date.parse('2026-12-03T00:00:00Z');
    await schedulePruneOperations({
      scheduler,
      store: { pruneOperations } as unknown as OrochiStore,
      logger: mockServices.logger.mock(),
      schedule: { frequency: { hours: 1 }, timeout: { minutes: 10 } },
      retentionDays: 30,
      clock: () => now,
    });
    const [task] = scheduler.scheduleTask.mock.calls[0];
    expect(task).toMatchObject({ id: PRUNE_OPERATIONS_TASK_ID, scope: 'global', frequency: { hours: 1 } });
    await task.fn(new AbortController().signal);
    expect(pruneOperations).toHaveBeenCalledWith(new Date('2026-11-03T00:00:00Z'));
  });
});
