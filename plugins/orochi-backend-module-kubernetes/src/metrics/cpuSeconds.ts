/** A reading of a pod's CPU rate from the metrics API. */
export interface CpuReading {
  /** The pod's uid: a new pod (after a failover, or a wake) is not integrated over the time before it. */
  pod: string;
  cores: number;
  /** The end of the rate's window, epoch ms. */
  at: number;
}

/**
 * Cumulative CPU seconds from the rates the metrics API gives (`metrics.k8s.io` has no counter, and CloudNativePG's
 * exporter has no process metrics; its Go runtime's would be the instance manager's anyway): each newer reading's
 * rate times the time since the previous one, per cluster. The counter lives in this process, so it starts at zero
 * when the backend starts, which readers of the samples take as a counter reset; a second backend replica that runs
 * the sampler keeps a counter of its own.
 */
export class CpuSecondsCounter {
  readonly #counters = new Map<string, { pod: string; at: number; total: number }>();

  add(clusterId: string, reading: CpuReading): number {
    const previous = this.#counters.get(clusterId);
    if (previous && reading.at <= previous.at) return previous.total;
    const integrate = previous?.pod === reading.pod;
    const total = (previous?.total ?? 0) + (integrate ? (reading.cores * (reading.at - previous.at)) / 1000 : 0);
    this.#counters.set(clusterId, { pod: reading.pod, at: reading.at, total });
    return total;
  }
}
