import { AutoscalingDecision, DEFAULT_AUTOSCALING_POLICY } from '@orochi/backstage-plugin-orochi-common';
import { createTestDatabases } from '@orochi/test-utils';
import { fakeDriver } from '../__testUtils__/fakeDriver';
import { servicesOver } from '../__testUtils__/services';
import { DatabaseBillingAccountStore } from '../database/BillingAccountStore';
import { DatabaseAutoscalingDecisionStore } from '../database/AutoscalingDecisionStore';
import { Autoscaler } from './Autoscaler';

const databases = createTestDatabases();
const GIB = 1024 ** 3;
const SAMPLE_SECONDS = 15;
const ROUND_SECONDS = 30;

/**
 * The autoscaler over a real store and metrics store, with the metrics and the clock in the test's hands: a
 * compressed schedule where each round is a call.
 */
async function setup() {
  let now = Date.parse('2026-12-03T12:00:00Z');
  const services = await servicesOver(databases, fakeDriver(), { clock: () => now });
  const decisions = await DatabaseAutoscalingDecisionStore.create({ database: services.database });
  const notify = jest.fn(async () => undefined);
  const autoscaler = new Autoscaler({
    ...services,
    decisions,
    policy: DEFAULT_AUTOSCALING_POLICY,
    notify,
    clock: () => now,
  });
  const cpuTotals = new Map<string, number>();

  /** Samples every 15 s over one round of the clock, the cluster's processes using `vcpus` of CPU. */
  async function run(clusterId: string, vcpus: number, options: { storageBytes?: number } = {}) {
    for (let t = SAMPLE_SECONDS; t <= ROUND_SECONDS; t += SAMPLE_SECONDS) {
      const total = (cpuTotals.get(clusterId) ?? 0) + vcpus * SAMPLE_SECONDS;
      cpuTotals.set(clusterId, total);
      await services.metrics.addSample(clusterId, {
        sampledAt: now + t * 1000,
        cpuSecondsTotal: total,
        memoryBytes: 0.2 * GIB,
        storageBytes: options.storageBytes ?? 0.1 * GIB,
        connections: 4,
        activeSessions: 1,
        transactionsTotal: 0,
      });
    }
    now += ROUND_SECONDS * 1000;
    await autoscaler.round();
    const [latest] = await decisions.list(clusterId, { limit: 1 });
    // The change runs as an operation; the test's worker finishes it.
    if (latest.operationId) await services.finish();
    return latest;
  }

  async function autoscaled(name: string, body: object = {}) {
    const { cluster } = await services.clusters.create(services.credentials, {
      name,
      owner: 'team-payments',
      autoscaling: { enabled: true, minCu: 1, maxCu: 4 },
      ...body,
    });
    await services.finish();
    return cluster;
  }

  return { ...services, decisions, autoscaler, notify, run, autoscaled, now: () => now };
}

const summary = (d: AutoscalingDecision) => `${d.action}${d.to ? ` to ${d.to.size}` : ''}`;

describe('the autoscaler', () => {
  it('scales up under load within two rounds, and down after the cooldown once the load stops, never flapping', async () => {
    const { run, autoscaled, store, decisions } = await setup();
    const cluster = await autoscaled('busy-db');

    // 1.9 vCPUs of load: 190 % of small, then 95 % of medium, then 48 % of large.
    const first = await run(cluster.id, 1.9);
    expect(first).toMatchObject({
      action: 'scale-up',
      rule: 'CPU 190 % is above 77 % (70 % × 1.1)',
      from: { size: 'small', cu: 1 },
      to: { size: 'medium', cu: 2 },
      inputs: { windowSeconds: 15, samples: 2, cpuPercent: 190 },
    });
    const operation = (await store.listClusterOperations(cluster.id, 1))[0];
    expect(operation).toMatchObject({
      id: first.operationId,
      type: 'update',
      requestedBy: 'orochi:autoscaler',
      reason: 'scale-up: CPU 190 % is above 77 % (70 % × 1.1)',
      parameters: { from: { size: 'small', cu: 1 }, to: { size: 'medium', cu: 2 } },
    });
    expect((await store.getCluster(cluster.id))?.size).toBe('medium');

    const rounds = [first];
    for (let i = 0; i < 3; i++) rounds.push(await run(cluster.id, 1.9));
    for (let i = 0; i < 24; i++) rounds.push(await run(cluster.id, 0.05));
    expect(rounds.map(summary).filter(s => s !== 'none')).toEqual([
      'scale-up to medium',
      'scale-up to large',
      'scale-down to medium',
      'scale-down to small',
    ]);
    // Up again 60 s after the first step, down 300 s after the last one, one step at a time.
    const at = (d: AutoscalingDecision) => Date.parse(d.decidedAt);
    const steps = rounds.filter(d => d.action !== 'none');
    expect((at(steps[1]) - at(steps[0])) / 1000).toBe(60);
    expect((at(steps[3]) - at(steps[2])) / 1000).toBe(300);
    expect(rounds[1].rule).toBe('CPU 95 % is above 77 % (70 % × 1.1), but the last scale was 30 s ago (cooldown 60 s)');
    expect((await store.getCluster(cluster.id))?.size).toBe('small');

    // Every round is recorded, "no change" included.
    expect(await decisions.list(cluster.id, { limit: 100 })).toHaveLength(rounds.length);
  });

  it('leaves a cluster with another operation running for the next round', async () => {
    const { run, autoscaled, clusters, credentials, finish } = await setup();
    const cluster = await autoscaled('queued-db');
    await clusters.update(credentials, cluster.id, { storageGb: 20 });
    const waiting = await run(cluster.id, 1.9);
    expect(waiting).toMatchObject({ action: 'none', rule: 'Another operation is running; the next round decides' });
    await finish();
    expect((await run(cluster.id, 1.9)).action).toBe('scale-up');
  });

  it('grows a full volume, and tells the owners once when the plan allows no more', async () => {
    const { run, autoscaled, store, notify, database } = await setup();
    const roomy = await autoscaled('roomy-db', { storageGb: 4 });
    expect(await run(roomy.id, 0.5, { storageBytes: 3.5 * GIB })).toMatchObject({
      action: 'grow-storage',
      rule: 'storage 88 % is above 80 %',
      to: { storageGb: 5 },
    });
    expect((await store.getCluster(roomy.id))?.storageGb).toBe(5);

    // The Free plan allows 1 GB per team.
    await (await DatabaseBillingAccountStore.create({ database })).ensure('group:default/team-search', 'free');
    const cramped = await autoscaled('cramped-db', { storageGb: 1, owner: 'team-search' });
    const refused = await run(cramped.id, 0.5, { storageBytes: 0.9 * GIB });
    expect(refused).toMatchObject({ action: 'none', rule: expect.stringMatching(/^storage 90 % is above 80 %, but storageGb: the Free plan allows 1 GB/) });
    expect(refused).not.toHaveProperty('operationId');
    await run(cramped.id, 0.5, { storageBytes: 0.9 * GIB });
    expect(notify).toHaveBeenCalledTimes(1);
    expect(notify).toHaveBeenCalledWith(expect.objectContaining({ id: cramped.id }), expect.objectContaining({
      title: "cramped-db has reached its plan's storage limit",
    }));
  });
});
