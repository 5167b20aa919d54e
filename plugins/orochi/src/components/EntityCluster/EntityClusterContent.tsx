import { useEntity } from '@backstage/plugin-catalog-react';
import { useRouteRef } from '@backstage/frontend-plugin-api';
import { Alert } from '@backstage/ui';
import { CLUSTER_ID_ANNOTATION } from '@orochi/backstage-plugin-orochi-common';
import { useNavigate } from 'react-router-dom';
import { databasesRouteRef } from '../../routes';
import { ClusterView } from '../ClusterView';

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
