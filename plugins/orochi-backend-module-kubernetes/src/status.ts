import {
  ClusterCondition,
  ClusterEndpoint,
  CONDITION_OROCHI_EXTENSION,
} from '@orochi/backstage-plugin-orochi-common';
import { ClusterObservation } from '@orochi/backstage-plugin-orochi-node';
import { KubernetesObject } from '@kubernetes/client-node';
import { HIBERNATION_ANNOTATION, poolerName } from './names';

/** The parts of a CloudNativePG Cluster the driver reads. */
export interface CnpgCluster extends KubernetesObject {
  spec?: {
    instances?: number;
    resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  };
  status?: {
    phase?: string;
    phaseReason?: string;
    instances?: number;
    readyInstances?: number;
    currentPrimary?: string;
    targetPrimary?: string;
    writeService?: string;
    readService?: string;
    conditions?: Array<{ type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }>;
  };
}

export const HEALTHY_PHASE = 'Cluster in healthy state';
const BROKEN_PHASE = /unrecoverable|invalid|error/i;
const POSTGRES_PORT = 5432;

/**
 * What Orochi observes, from the Cluster's status the operator writes: phase and reason, instances and ready
 * instances, the current primary, conditions (Ready, ContinuousArchiving, LastBackupSucceeded,
 * cnpg.io/hibernation), and the services as endpoints.
 */
export function observationOf(
  object: CnpgCluster | undefined,
  context: {
    namespace: string;
    name: string;
    pooler: boolean;
    orochiExtension: boolean;
    /** Where clients reach the primary when a connection proxy stands in front of it. */
    proxyAddress?: { host: string; port: number };
    /** Suspended when idle behind the proxy: its address takes connections, and a connection wakes it. */
    wakesOnConnect?: boolean;
  },
): ClusterObservation {
  const { namespace, name } = context;
  const now = new Date().toISOString();
  const extension: ClusterCondition = context.orochiExtension
    ? { type: CONDITION_OROCHI_EXTENSION, status: 'True', reason: 'Preloaded', lastTransitionTime: now }
    : { type: CONDITION_OROCHI_EXTENSION, status: 'False', reason: 'NotConfigured', message: 'The image is used without the orochi extension', lastTransitionTime: now };
  if (!object) {
    return {
      phase: 'missing',
      instances: 0,
      readyInstances: 0,
      endpoints: [],
      conditions: [extension],
      message: `No CloudNativePG Cluster ${namespace}/${name}`,
      kubernetes: { namespace, name },
    };
  }
  const status = object.status ?? {};
  const conditions: ClusterCondition[] = (status.conditions ?? []).map(c => ({
    type: c.type,
    status: c.status === 'True' || c.status === 'False' ? c.status : 'Unknown',
    reason: c.reason ?? '',
    ...(c.message ? { message: c.message } : {}),
    lastTransitionTime: c.lastTransitionTime ?? now,
  }));
  const hibernated = conditions.some(c => c.type === HIBERNATION_ANNOTATION && c.status === 'True');
  const readyInstances = hibernated ? 0 : status.readyInstances ?? 0;
  const instances = status.instances ?? object.spec?.instances ?? 0;

  let phase: ClusterObservation['phase'] = 'starting';
  if (hibernated) phase = 'stopped';
  else if (status.phase === HEALTHY_PHASE && readyInstances > 0) phase = 'running';
  else if (status.phase && BROKEN_PHASE.test(status.phase)) phase = 'failed';

  const endpoints: ClusterEndpoint[] = [];
  const host = (service: string) => `${service}.${namespace}.svc`;
  const primary = context.proxyAddress ?? { host: host(status.writeService ?? `${name}-rw`), port: POSTGRES_PORT };
  if (phase === 'stopped' && context.wakesOnConnect) endpoints.push({ role: 'primary', ...primary });
  if (phase === 'running') {
    endpoints.push({ role: 'primary', ...primary });
    if (instances > 1) endpoints.push({ role: 'replica', host: host(status.readService ?? `${name}-ro`), port: POSTGRES_PORT });
    if (context.pooler) endpoints.push({ role: 'pooler', host: host(poolerName(name)), port: POSTGRES_PORT });
  }
  return {
    phase,
    instances,
    readyInstances,
    endpoints,
    conditions: [...conditions, extension],
    message: [status.phase, status.phaseReason, status.currentPrimary && `primary ${status.currentPrimary}`].filter(Boolean).join('; ') || undefined,
    kubernetes: { namespace, name },
  };
}
