import { StoredSample } from '../database/MetricsStore';
import { recordedInputs, utilizationOf } from './utilization';

const GIB = 1024 ** 3;
const sample = (seconds: number, cpuSecondsTotal: number, memoryBytes = GIB, storageBytes = GIB): StoredSample => ({
  sampledAt: seconds * 1000,
  cpuSecondsTotal,
  memoryBytes,
  storageBytes,
  connections: 1,
  activeSessions: 0,
  transactionsTotal: 0,
});

describe('utilisation of a size', () => {
  it('takes CPU as the counter’s rate per vCPU, memory as the mean, storage as the last sample', () => {
    // 2 CU: 2 vCPUs, 4 GiB. 45 CPU-seconds in 30 s is 1.5 vCPUs: 75 %.
    const used = utilizationOf([sample(0, 100, 1 * GIB), sample(15, 120, 2 * GIB), sample(30, 145, 3 * GIB, 5 * GIB)], { cu: 2, storageGb: 10 });
    expect(used).toEqual({ windowSeconds: 30, samples: 3, cpu: 0.75, memory: 0.5, storage: 0.5 });
    expect(recordedInputs(used)).toEqual({ windowSeconds: 30, samples: 3, cpuPercent: 75, memoryPercent: 50, storagePercent: 50 });
  });

  it('does not count a counter reset (a restart) as negative use', () => {
    const used = utilizationOf([sample(0, 500), sample(10, 505), sample(20, 3), sample(30, 8)], { cu: 1, storageGb: 10 });
    expect(used.cpu).toBeCloseTo(10 / 30);
  });

  it('has no CPU rate from one sample, and nothing from none', () => {
    expect(utilizationOf([sample(0, 10)], { cu: 1, storageGb: 1 })).not.toHaveProperty('cpu');
    expect(utilizationOf([], { cu: 1, storageGb: 1 })).toEqual({ windowSeconds: 0, samples: 0 });
    expect(recordedInputs({ windowSeconds: 0, samples: 0 })).toEqual({ windowSeconds: 0, samples: 0 });
  });
});
