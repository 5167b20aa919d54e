import { InputError } from '@backstage/errors';

/** CloudNativePG's container in an instance pod: PostgreSQL and its instance manager (PID 1), not sidecars. */
export const POSTGRES_CONTAINER = 'postgres';

const BINARY_SUFFIXES: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL_EXPONENTS: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+|[numkMGTPE]?)$/;

/**
 * A Kubernetes resource quantity as a number: `250m` CPU is 0.25, `1234567n` is 0.001234567, `123456Ki` is
 * 126418944, `1e3` and `1k` are 1000. (The grammar of k8s.io/apimachinery's `resource.Quantity`.)
 */
export function parseQuantity(text: string): number {
  const match = QUANTITY.exec(text.trim());
  if (!match) throw new InputError(`"${text}" is not a Kubernetes quantity`);
  const [, number, suffix] = match;
  const value = Number(number);
  if (suffix in BINARY_SUFFIXES) return value * BINARY_SUFFIXES[suffix];
  const exponent = suffix in DECIMAL_EXPONENTS ? DECIMAL_EXPONENTS[suffix] : Number(suffix.slice(1));
  // Dividing keeps 253417881n exactly 0.253417881, where multiplying by 1e-9 would not.
  return exponent < 0 ? value / 10 ** -exponent : value * 10 ** exponent;
}

/** What the metrics API measured for one container: CPU as a rate over its window, memory as the working set. */
export interface ContainerUsage {
  /** CPU cores in use, averaged over the window that ends at `at`. */
  cpuCores: number;
  memoryBytes: number;
  /** The end of the measurement window, epoch ms. */
  at: number;
}

/**
 * One container's usage from a `metrics.k8s.io/v1beta1` PodMetrics object (as metrics-server serves it); undefined
 * when the pod has no such container yet. Anything else malformed is an error.
 */
export function containerUsage(podMetrics: unknown, container: string): ContainerUsage | undefined {
  const object = podMetrics as { timestamp?: unknown; containers?: unknown } | undefined;
  const at = typeof object?.timestamp === 'string' ? Date.parse(object.timestamp) : NaN;
  if (!Array.isArray(object?.containers) || Number.isNaN(at)) {
    throw new InputError('The PodMetrics object has no timestamp or no containers');
  }
  const entry = (object.containers as Array<{ name?: unknown; usage?: { cpu?: unknown; memory?: unknown } }>).find(
    c => c?.name === container,
  );
  if (!entry) return undefined;
  const { cpu, memory } = entry.usage ?? {};
  if (typeof cpu !== 'string' || typeof memory !== 'string') {
    throw new InputError(`The PodMetrics of container ${container} have no CPU or memory usage`);
  }
  return { cpuCores: parseQuantity(cpu), memoryBytes: parseQuantity(memory), at };
}
