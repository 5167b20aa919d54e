import { useRouteRef } from '@backstage/frontend-plugin-api';
import { clusterPagePath } from '@orochi/backstage-plugin-orochi-common';
import { useCallback } from 'react';
import { clusterRouteRef } from '../routes';

/**
 * The address of a cluster's page: through the app's routes where the Databases page is mounted, else the path
 * every other Orochi link uses (notifications, catalog entities, scaffolder output).
 */
export function useClusterHref(): (clusterId: string) => string {
  const clusterLink = useRouteRef(clusterRouteRef);
  return useCallback((clusterId: string) => clusterLink?.({ clusterId }) ?? clusterPagePath(clusterId), [clusterLink]);
}
