import { Entity } from '@backstage/catalog-model';
import {
  Cluster,
  CLUSTER_ID_ANNOTATION,
  clusterPagePath,
  OROCHI_CLUSTER_ENTITY_TYPE,
} from '@orochi/backstage-plugin-orochi-common';

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
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: cluster.name,
      namespace: 'default',
      title: cluster.name,
      description: `PostgreSQL ${cluster.version} cluster managed by Orochi: ${cluster.size}, ${instances}, ${cluster.storageGb} GB`,
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
      },
      labels: {
        'orochi.io/plan': cluster.plan,
        'orochi.io/size': cluster.size,
        'orochi.io/region': cluster.region,
        'orochi.io/status': cluster.status,
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
    },
  };
}
