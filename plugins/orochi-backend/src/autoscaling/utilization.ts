import { AutoscalingInputs, CU_MEMORY_MIB } from '@orochi/backstage-plugin-orochi-common';
import { StoredSample } from '../database/MetricsStore';

const GIB = 1024 ** 3;

/** Utilisation of a cluster's current size over a window of samples, as fractions (1 = all of it). */
export interface Utilization {
  windowSeconds: number;
  samples: number;
  cpu?: number;
  memory?: number;
  storage?: number;
}

/**
 * CPU as the rate of the CPU-seconds counter over the window per vCPU (a CU has one), summed over consecutive
 * samples so a counter reset by a restart does not count as negative use; memory as the mean against the size's
 * memory; storage as the last sample against the volume. CPU needs two samples.
 */
export function utilizationOf(samples: StoredSample[], size: { cu: number; storageGb: number }): Utilization {
  if (!samples.length) return { windowSeconds: 0, samples: 0 };
  const first = samples[0];
  const last = samples[samples.length - 1];
  const seconds = (last.sampledAt - first.sampledAt) / 1000;
  let cpuSeconds = 0;
  for (let i = 1; i < samples.length; i++) {
    cpuSeconds += Math.max(0, samples[i].cpuSecondsTotal - samples[i - 1].cpuSecondsTotal);
  }
  const meanMemory = samples.reduce((sum, s) => sum + s.memoryBytes, 0) / samples.length;
  return {
    windowSeconds: seconds,
    samples: samples.length,
    ...(seconds > 0 ? { cpu: cpuSeconds / seconds / size.cu } : {}),
    memory: meanMemory / (size.cu * CU_MEMORY_MIB * 1024 * 1024),
    storage: last.storageBytes / (size.storageGb * GIB),
  };
}

/** The inputs as a decision records them: percentages, rounded to a tenth. */
export function recordedInputs(utilization: Utilization): AutoscalingInputs {
  const percent = (fraction?: number) => (fraction === undefined ? undefined : Math.round(fraction * 1000) / 10);
  const entries = {
    cpuPercent: percent(utilization.cpu),
    memoryPercent: percent(utilization.memory),
    storagePercent: percent(utilization.storage),
  };
  return {
    windowSeconds: Math.round(utilization.windowSeconds),
    samples: utilization.samples,
    ...Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined)),
  };
}
