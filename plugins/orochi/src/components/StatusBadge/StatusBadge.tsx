import { ClusterStatus } from '@orochi/backstage-plugin-orochi-common';
import { Text } from '@backstage/ui';

const COLORS: Record<ClusterStatus, 'success' | 'warning' | 'danger' | 'secondary'> = {
  ready: 'success',
  provisioning: 'warning',
  updating: 'warning',
  hibernating: 'warning',
  suspending: 'warning',
  waking: 'warning',
  restoring: 'warning',
  deleting: 'warning',
  hibernated: 'secondary',
  suspended: 'secondary',
  failed: 'danger',
};

/** A cluster's status in the one vocabulary of orochi-common, coloured by what it means for users. */
export const StatusBadge = ({ status }: { status: ClusterStatus }) => (
  <Text as="span" weight="bold" color={COLORS[status]} data-testid="cluster-status">
    {status}
  </Text>
);
