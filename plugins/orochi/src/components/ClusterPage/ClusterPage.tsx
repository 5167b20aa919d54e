import { useRouteRef, useRouteRefParams } from '@backstage/frontend-plugin-api';
import { Container } from '@backstage/ui';
import { useNavigate } from 'react-router-dom';
import { clusterRouteRef, databasesRouteRef } from '../../routes';
import { ClusterView } from '../ClusterView';

/** One cluster under the Databases page; back to the list once it is deleted. */
export const ClusterPage = () => {
  const { clusterId } = useRouteRefParams(clusterRouteRef);
  const databases = useRouteRef(databasesRouteRef);
  const navigate = useNavigate();
  return (
    <Container>
      {/* Keyed by the cluster: following a link to a parent or a branch starts its page afresh. */}
      <ClusterView key={clusterId} clusterId={clusterId} onDeleted={() => navigate(databases?.() ?? '/')} />
    </Container>
  );
};
