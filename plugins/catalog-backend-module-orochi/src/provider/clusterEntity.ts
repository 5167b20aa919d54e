import { Entity } from '@backstage/catalog-model';
import {
  Cluster,
  CLUSTER_ID_ANNOTATION,
  clusterEntityRef,
  clusterPagePath,
  OROCHI_CLUSTER_ENTITY_TYPE,
} from '@orochi/backstage-plugin-orochi-common';

/** On a branch's entity: the parent's entity ref, its cluster id, and when Orochi deletes the branch. */
export const PARENT_ANNOTATION = 'orochi.io/parent';
export const PARENT_CLUSTER_ID_ANNOTATION = 'orochi.io/parent-cluster-id';
export const EXPIRES_AT_ANNOTATION = 'orochi.io/expires-at';
/** On a branch's entity, "true": lets the catalog list branches. */
export const BRANCH_LABEL = 'orochi.io/branch';
/** On a restored cluster's entity: the entity ref of the cluster it was restored from. */
export const RESTORED_FROM_ANNOTATION = 'orochi.io/restored-from';
/** On a branch's or a restored cluster's entity: the moment of the source it copies, when not its state then. */
export const SOURCE_TIME_ANNOTATION = 'orochi.io/source-time';

/**
 * What a cluster's entity says about where it came from. A branch depends on its parent (`spec.dependsOn`:
 * Backstage shows dependsOn on the branch's page and dependencyOf on the parent's) and carries its expiry; a
 * restored cluster is independent of its source, so it only names it in an annotation.
 */
function lineage(cluster: Cluster): {
  annotations: Record<string, string>;
  labels: Record<string, string>;
  spec: { dependsOn?: string[] };
} {
  const { parent } = cluster;
  if (!parent) return { annotations: {}, labels: {}, spec: {} };
  const annotations: Record<string, string> = {};
  const source = clusterEntityRef(parent.clusterName);
  if (parent.kind === 'restore') {
    annotations[RESTORED_FROM_ANNOTATION] = source;
  } else {
    annotations[PARENT_ANNOTATION] = source;
    annotations[PARENT_CLUSTER_ID_ANNOTATION] = parent.clusterId;
    if (cluster.expiresAt) annotations[EXPIRES_AT_ANNOTATION] = cluster.expiresAt;
  }
  if (parent.targetTime) annotations[SOURCE_TIME_ANNOTATION] = parent.targetTime;
  return parent.kind === 'restore'
    ? { annotations, labels: {}, spec: {} }
    : { annotations, labels: { [BRANCH_LABEL]: 'true' }, spec: { dependsOn: [source] } };
}

/**
 * The catalog entity of a cluster: a `Resource` of type `orochi-cluster` owned by the cluster's group. It
 * carries names, labels and links only: connection secrets never enter the catalog.
 */
export function clusterEntity(
  cluster: Cluster,
  options: { appBaseUrl: string; apiBaseUrl: string },
): Entity {
  const location = `url:${options.apiBaseUrl}/clusters/${cluster.id}`;
  const instances = cluster.instances === 1 ? '1 instance' : `${cluster.instances} instances`;
  const origin = lineage(cluster);
  const description = `PostgreSQL ${cluster.version} cluster managed by Orochi: ${cluster.size}, ${instances}, ${cluster.storageGb} GB`;
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: cluster.name,
      namespace: 'default',
      title: cluster.name,
      description:
        cluster.parent?.kind === 'branch'
          ? `Branch of ${cluster.parent.clusterName}${cluster.expiresAt ? ` until ${cluster.expiresAt}` : ''}. ${description}`
          : description,
      annotations: {
        [CLUSTER_ID_ANNOTATION]: cluster.id,
        'backstage.io/managed-by-location': location,
        'backstage.io/managed-by-origin-location': location,
        // So Backstage's Kubernetes plugin shows the cluster's pods, which carry this id as a label.
        ...(cluster.kubernetes
          ? {
              'backstage.io/kubernetes-id': cluster.kubernetes.name,
              'backstage.io/kubernetes-namespace': cluster.kubernetes.namespace,
            }
          : {}),
        ...origin.annotations,
      },
      labels: {
        'orochi.io/plan': cluster.plan,
        'orochi.io/size': cluster.size,
        'orochi.io/region': cluster.region,
        'orochi.io/status': cluster.status,
        ...origin.labels,
      },
      tags: ['postgresql', 'orochi'],
      links: [
        {
          url: `${options.appBaseUrl}${clusterPagePath(cluster.id)}`,
          title: 'Open in Orochi',
          icon: 'dashboard',
        },
      ],
    },
    spec: {
      type: OROCHI_CLUSTER_ENTITY_TYPE,
      owner: cluster.owner,
      ...(cluster.system ? { system: cluster.system } : {}),
      ...origin.spec,
    },
  };
}
