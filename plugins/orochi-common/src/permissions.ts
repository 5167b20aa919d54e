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

/**
 * Reveal a cluster's password. It has no `read` action on purpose: a token restricted to read actions must not
 * reveal secrets.
 */
export const clusterCredentialsReadPermission = createPermission({
  name: 'orochi.cluster.credentials.read',
  attributes: {},
  resourceType: OROCHI_CLUSTER_RESOURCE_TYPE,
});

/**
 * Read a team's billing: plan, usage, projected invoice, budget. Billing permissions take the team's clusters as
 * their resource (`{ owner }`, the team), so "owners may" reads "members may, for their team".
 */
export const billingReadPermission = createPermission({
  name: 'orochi.billing.read',
  attributes: { action: 'read' },
  resourceType: OROCHI_CLUSTER_RESOURCE_TYPE,
});

/** Upgrade a team's plan by paying through the billing provider, open its billing portal, set its budget. */
export const billingManagePermission = createPermission({
  name: 'orochi.billing.manage',
  attributes: { action: 'update' },
  resourceType: OROCHI_CLUSTER_RESOURCE_TYPE,
});

/** Set any team's plan without payment (a contract, a correction): for platform admins. */
export const billingPlanSetPermission = createPermission({
  name: 'orochi.billing.plan.set',
  attributes: { action: 'update' },
});

/** List what drivers hold for clusters Orochi has no record of (orphans): for platform admins. */
export const orphansReadPermission = createPermission({
  name: 'orochi.orphans.read',
  attributes: { action: 'read' },
});

/** List deleted clusters whose backups are still kept: for platform admins. */
export const deletedClustersReadPermission = createPermission({
  name: 'orochi.deletedClusters.read',
  attributes: { action: 'read' },
});

/**
 * Restore a deleted cluster from its kept backups into a new cluster: for platform admins. The new cluster's owner
 * needs `orochi.cluster.create` as well.
 */
export const deletedClusterRestorePermission = createPermission({
  name: 'orochi.deletedClusters.restore',
  attributes: { action: 'create' },
});

/**
 * Wake a cluster suspended when idle because a client connects to it, and wait until it accepts connections: for
 * the standalone connection proxy, named in `orochi.serviceAccess`. It never wakes a cluster a user hibernated.
 */
export const clusterWakeOnConnectPermission = createPermission({
  name: 'orochi.cluster.wakeOnConnect',
  attributes: { action: 'update' },
  resourceType: OROCHI_CLUSTER_RESOURCE_TYPE,
});

/** Every permission that takes an Orochi cluster (or a team's clusters, for billing) as its resource. */
export const clusterPermissions = [
  clusterCreatePermission,
  clusterReadPermission,
  clusterUpdatePermission,
  clusterDeletePermission,
  clusterCredentialsReadPermission,
  clusterWakeOnConnectPermission,
  billingReadPermission,
  billingManagePermission,
];

export const orochiPermissions = [
  ...clusterPermissions,
  billingPlanSetPermission,
  orphansReadPermission,
  deletedClustersReadPermission,
  deletedClusterRestorePermission,
];

/**
 * What any service may do without being named in `orochi.serviceAccess`: read clusters (the catalog provider,
 * for one) and billing. Changing clusters and revealing credentials are not among them.
 */
export const SERVICE_READ_PERMISSIONS: readonly string[] = [clusterReadPermission.name, billingReadPermission.name];
