import { Button, Flex, Link, Text } from '@backstage/ui';
import { Cluster, Offering } from '@orochi/backstage-plugin-orochi-common';
import { useClusterHref } from '../../hooks/useClusterHref';
import { useClusterPermissions } from '../../hooks/useClusterPermissions';
import { localTime } from '../Backups/format';
import { StatusBadge } from '../StatusBadge';
import { Expiry } from './Expiry';
import { ExtendMenu } from './ExtendMenu';

export const branchCell = { padding: '6px 12px 6px 0', textAlign: 'left' as const, verticalAlign: 'middle' as const };

export interface BranchRowProps {
  branch: Cluster;
  offering?: Offering;
  onChange(): void;
  onError(message: string): void;
  onDelete(branch: Cluster): void;
}

/** One branch: its page, status and expiry; Extend and Delete for those allowed to change and delete the branch. */
export const BranchRow = ({ branch, offering, onChange, onError, onDelete }: BranchRowProps) => {
  const clusterHref = useClusterHref();
  const { update, remove } = useClusterPermissions(branch.id);
  const busy = !!branch.currentOperationId;
  return (
    <tr aria-label={branch.name}>
      <td style={branchCell}>
        <Link href={clusterHref(branch.id)}>{branch.name}</Link>
        {branch.parent?.targetTime && (
          <Text as="p" variant="body-small" color="secondary">
            as of {localTime(branch.parent.targetTime)}
          </Text>
        )}
      </td>
      <td style={branchCell}>
        <StatusBadge status={branch.status} />
      </td>
      <td style={branchCell}>
        <Expiry expiresAt={branch.expiresAt} />
        {branch.expiresAt && (
          <Text as="p" variant="body-small" color="secondary">
            {localTime(branch.expiresAt)}
          </Text>
        )}
      </td>
      <td style={branchCell}>
        <Flex gap="2">
          {update.allowed && (
            <ExtendMenu branch={branch} offering={offering} onExtended={onChange} onError={onError} isDisabled={busy} />
          )}
          {remove.allowed && (
            <Button size="small" variant="secondary" destructive isDisabled={busy} onPress={() => onDelete(branch)}>
              Delete branch
            </Button>
          )}
        </Flex>
      </td>
    </tr>
  );
};
