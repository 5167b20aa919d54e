import { createPermission } from '@backstage/plugin-permission-common';

/** The resource type of Orochi clusters in permission requests and policies. */
export const OROCHI_CLUSTER_RESOURCE_TYPE = 'orochi-cluster';

/**
 * Create a cluster. A resource permission: policies decide on the cluster being created, so "owners may" reads
 * "may create clusters owned by their groups".
 */
export const clusterCreatePermission = createPermission({
  name: 'orochi.cluster.create',
  attributes: { action: 'create' },
  resourceType: OROCHI_CLUSTER_RESOURCE_TYPE,
});

export const clusterReadPermission = createPermission({
  name: 'orochi.cluster.read',
  attributes: { action: 'read' },
  resourceType: OROCHI_CLUSTER_RESOURCE_TYPE,
});

/** Resize, scale, hibernate and wake. */
export const clusterUpdatePermission = createPermission({
  name: 'orochi.cluster.update',
  attributes: { action: 'update' },
  resourceType: OROCHI_CLUSTER_RESOURCE_TYPE,
});

export const clusterDeletePermission = createPermission({
  name: 'orochi.cluster.delete',
  attributes: { action: 'delete' },
  resourceType: OROCHI_CLUSTER_RESOURCE_TYPE,
});

/** Reveal a cluster's password. */
export const clusterCredentialsReadPermission = createPermission({
  name: 'orochi.cluster.credentials.read',
  attributes: { action: 'read' },
  resourceType: OROCHI_CLUSTER_RESOURCE_TYPE,
});

export const billingReadPermission = createPermission({
  name: 'orochi.billing.read',
  attributes: { action: 'read' },
});

export const billingManagePermission = createPermission({
  name: 'orochi.billing.manage',
  attributes: { action: 'update' },
});

/** Every cluster permission; they all take an Orochi cluster as their resource. */
export const clusterPermissions = [
  clusterCreatePermission,
  clusterReadPermission,
  clusterUpdatePermission,
  clusterDeletePermission,
  clusterCredentialsReadPermission,
];

export const orochiPermissions = [
  ...clusterPermissions,
  billingReadPermission,
  billingManagePermission,
];
