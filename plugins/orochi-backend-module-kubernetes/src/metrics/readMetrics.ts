import { LoggerService } from '@backstage/backend-plugin-api';
import { stringifyError } from '@backstage/errors';
import { ClusterMetricsSample } from '@orochi/backstage-plugin-orochi-node';
import { KubeApi } from '../KubeApi';
import { HIBERNATION_ANNOTATION } from '../names';
import { CnpgCluster } from '../status';
import { CpuSecondsCounter } from './cpuSeconds';
import { activityOf, exporterUrl, scrapeExporter } from './exporter';
import { containerUsage, POSTGRES_CONTAINER } from './podMetrics';

const hibernated = (cluster: CnpgCluster) =>
  cluster.metadata?.annotations?.[HIBERNATION_ANNOTATION] === 'on' ||
  !!cluster.status?.conditions?.some(c => c.type === HIBERNATION_ANNOTATION && c.status === 'True');

/**
 * Samples of a CloudNativePG cluster's current primary (`status.currentPrimary`): CPU and memory of its `postgres`
 * container from the metrics API, activity and storage from CloudNativePG's exporter in the pod (see exporter.ts).
 * All or nothing: without one of them the sample is undefined (with a debug log), since zero CPU would read as a
 * reason to scale down and zero sessions as idleness.
 */
export class ClusterMetricsReader {
  readonly #api: KubeApi;
  readonly #logger: LoggerService;
  readonly #cpu = new CpuSecondsCounter();

  constructor(api: KubeApi, logger: LoggerService) {
    this.#api = api;
    this.#logger = logger;
  }

  async read(clusterId: string, cluster: CnpgCluster | undefined): Promise<ClusterMetricsSample | undefined> {
    const namespace = cluster?.metadata?.namespace;
    const primary = cluster?.status?.currentPrimary;
    if (!cluster || !namespace || hibernated(cluster)) return undefined;
    const none = (why: string) => {
      this.#logger.debug(`No metrics for ${namespace}/${cluster.metadata?.name}: ${why}`);
      return undefined;
    };
    if (!primary) return none('it has no current primary');

    const podMetrics = await this.#api.readPodMetrics(namespace, primary);
    if (!podMetrics) return none(`the metrics API (metrics.k8s.io) has no PodMetrics for ${primary}`);
    const usage = containerUsage(podMetrics, POSTGRES_CONTAINER);
    if (!usage) return none(`the PodMetrics of ${primary} have no ${POSTGRES_CONTAINER} container`);

    const pod = await this.#api.readPod(namespace, primary);
    const podIP = pod?.status?.podIP;
    if (!pod?.metadata?.uid || !podIP || pod.status?.phase !== 'Running') return none(`the pod ${primary} is not running`);
    let activity;
    try {
      activity = activityOf(await scrapeExporter(exporterUrl(podIP)));
    } catch (error) {
      return none(stringifyError(error));
    }
    if (!activity) return none(`the exporter of ${primary} reports PostgreSQL down`);

    return {
      ...activity,
      cpuSecondsTotal: this.#cpu.add(clusterId, { pod: pod.metadata.uid, cores: usage.cpuCores, at: usage.at }),
      // The working set, as Kubernetes counts memory for limits and eviction (page cache in active use included).
      memoryBytes: usage.memoryBytes,
    };
  }
}
