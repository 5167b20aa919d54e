import { useEntity } from '@backstage/plugin-catalog-react';
import { useRouteRef } from '@backstage/frontend-plugin-api';
import { Alert } from '@backstage/ui';
import { useNavigate } from 'react-router-dom';
import { databasesRouteRef } from '../../routes';
import { ClusterView } from '../ClusterView';

/** The annotation the catalog provider puts on every cluster's entity. */
export const CLUSTER_ID_ANNOTATION = 'orochi.io/cluster-id';

/** The cluster view as a tab of an orochi-cluster resource's entity page. */
export const EntityClusterContent = () => {
  const { entity } = useEntity();
  const databases = useRouteRef(databasesRouteRef);
  const navigate = useNavigate();
  const clusterId = entity.metadata.annotations?.[CLUSTER_ID_ANNOTATION];
  if (!clusterId) {
    return <Alert status="warning" title={`This entity has no ${CLUSTER_ID_ANNOTATION} annotation`} />;
  }
  return <ClusterView clusterId={clusterId} onDeleted={() => navigate(databases?.() ?? '/')} />;
};
