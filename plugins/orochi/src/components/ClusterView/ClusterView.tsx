import { Alert, Flex, Skeleton } from '@backstage/ui';
import { useCluster } from '../../hooks/useCluster';
import { useClusterPermissions } from '../../hooks/useClusterPermissions';
import { useOffering } from '../../hooks/useOffering';
import { ActionsCard } from './ActionsCard';
import { ConnectionCard } from './ConnectionCard';
import { MetricsCard } from './MetricsCard';
import { StatusCard } from './StatusCard';

/** Everything about one cluster: status and progress, connection, day-two actions, metrics. */
export const ClusterView = ({ clusterId, onDeleted }: { clusterId: string; onDeleted(): void }) => {
  const { cluster, operations, error, loading, refresh } = useCluster(clusterId);
  const permissions = useClusterPermissions(clusterId);
  // The offering bounds the actions' choices: the page is shown once both are known, so it does not change under
  // the user's hand. Without an offering (it failed) the actions fall back to the cluster's own values.
  const { offering, loading: offeringLoading } = useOffering();

  if (loading || offeringLoading) return <Skeleton width="100%" height={240} />;
  if (error || !cluster) {
    return <Alert status="danger" title="The cluster could not be loaded" description={error?.message ?? 'Unknown cluster'} />;
  }
  return (
    <Flex direction="column" gap="4">
      <StatusCard cluster={cluster} operations={operations} />
      <ConnectionCard cluster={cluster} credentials={permissions.credentials} />
      <ActionsCard
        cluster={cluster}
        offering={offering}
        update={permissions.update}
        remove={permissions.remove}
        onChange={refresh}
        onDeleted={onDeleted}
      />
      <MetricsCard clusterId={cluster.id} />
    </Flex>
  );
};
