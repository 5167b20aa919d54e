import { usePermission } from '@backstage/plugin-permission-react';
import {
  clusterCredentialsReadPermission,
  clusterDeletePermission,
  clusterUpdatePermission,
} from '@orochi/backstage-plugin-orochi-common';

export interface Allowance {
  allowed: boolean;
  loading: boolean;
}

/** What the signed-in user may do with one cluster, as the permission policy decides it. */
export function useClusterPermissions(clusterId: string) {
  const update = usePermission({ permission: clusterUpdatePermission, resourceRef: clusterId });
  const remove = usePermission({ permission: clusterDeletePermission, resourceRef: clusterId });
  const credentials = usePermission({ permission: clusterCredentialsReadPermission, resourceRef: clusterId });
  return { update, remove, credentials };
}
