import { Alert, Flex, Skeleton } from '@backstage/ui';
import { Operation } from '@orochi/backstage-plugin-orochi-common';
import { useCluster } from '../../hooks/useCluster';
import { useClusterPermissions } from '../../hooks/useClusterPermissions';
import { useOffering } from '../../hooks/useOffering';
import { BackupsCard } from '../Backups/BackupsCard';
import { BranchesCard } from '../Branches/BranchesCard';
import { ParentBanner } from '../Branches/ParentBanner';
import { ActionsCard } from './ActionsCard';
import { ConnectionCard } from './ConnectionCard';
import { MetricsCard } from './MetricsCard';
import { AutoscalingCard } from '../Autoscaling/AutoscalingCard';
import { useAutoscalingDecisions } from '../../hooks/useAutoscalingDecisions';
import { StatusCard } from './StatusCard';
import { ClusterUsageCard } from '../Billing/ClusterUsageCard';

/** When a suspended cluster's last activity was: what its latest suspend operation recorded. */
function idleSinceOf(operations: Operation[] | undefined): string | undefined {
  const suspend = operations?.find(o => o.type === 'suspend');
  return suspend?.type === 'suspend' ? suspend.parameters.idleSince : undefined;
}

/** Everything about one cluster: origin, status and progress, connection, day-two actions, backups, branches, autoscaling, metrics. */
export const ClusterView = ({ clusterId, onDeleted }: { clusterId: string; onDeleted(): void }) => {
  const { cluster, operations, error, loading, refresh } = useCluster(clusterId);
  const permissions = useClusterPermissions(clusterId);
  // The offering bounds the actions' choices: the page is shown once both are known, so it does not change under
  // the user's hand. Without an offering (it failed) the actions fall back to the cluster's own values.
  const { offering, loading: offeringLoading } = useOffering();
  const autoscaling = useAutoscalingDecisions(clusterId, 60);

  if (loading || offeringLoading) return <Skeleton width="100%" height={240} />;
  if (error || !cluster) {
    return <Alert status="danger" title="The cluster could not be loaded" description={error?.message ?? 'Unknown cluster'} />;
  }
  return (
    <Flex direction="column" gap="4">
      <ParentBanner cluster={cluster} offering={offering} update={permissions.update} onChange={refresh} />
      <StatusCard cluster={cluster} operations={operations} />
      <ConnectionCard cluster={cluster} credentials={permissions.credentials} idleSince={idleSinceOf(operations)} />
      <ActionsCard
        cluster={cluster}
        offering={offering}
        update={permissions.update}
        remove={permissions.remove}
        onChange={refresh}
        onDeleted={onDeleted}
      />
      {/* Copying a cluster's data (restore, branch) takes what revealing its credentials takes, as the backend checks. */}
      <BackupsCard cluster={cluster} update={permissions.update} copy={permissions.credentials} onChange={refresh} />
      <BranchesCard cluster={cluster} offering={offering} copy={permissions.credentials} />
      <AutoscalingCard cluster={cluster} decisions={autoscaling.decisions} error={autoscaling.error} />
      <MetricsCard clusterId={cluster.id} decisions={autoscaling.decisions} />
      <ClusterUsageCard cluster={cluster} />
    </Flex>
  );
};
