import { metricsSeries } from './metricsSeries';

const sample = (seconds: number, transactionsTotal: number, cpuSecondsTotal: number) => ({
  sampledAt: seconds * 1000,
  connections: 3,
  activeSessions: 0,
  transactionsTotal,
  cpuSecondsTotal,
  memoryBytes: 100,
  storageBytes: 200,
});

describe('metricsSeries', () => {
  it('turns cumulative counters into rates between samples', () => {
    expect(metricsSeries([sample(0, 100, 1), sample(10, 600, 3), sample(20, 600, 3.5)])).toEqual([
      { at: new Date(10_000).toISOString(), connections: 3, transactionsPerSecond: 50, cpuPercent: 20, memoryBytes: 100, storageBytes: 200 },
      { at: new Date(20_000).toISOString(), connections: 3, transactionsPerSecond: 0, cpuPercent: 5, memoryBytes: 100, storageBytes: 200 },
    ]);
  });

  it('restarts rates from zero when a counter went down (the server restarted)', () => {
    const [point] = metricsSeries([sample(0, 5000, 50), sample(10, 20, 0.5)]);
    expect(point).toMatchObject({ transactionsPerSecond: 0, cpuPercent: 0 });
  });

  it('needs two samples for a point', () => {
    expect(metricsSeries([sample(0, 1, 1)])).toEqual([]);
  });
});
