import { Alert, Button, Flex, Skeleton, Text } from '@backstage/ui';
import { Cluster, describeApiError, Offering } from '@orochi/backstage-plugin-orochi-common';
import { useState } from 'react';
import { useBranches } from '../../hooks/useBranches';
import { Allowance } from '../../hooks/useClusterPermissions';
import { TitledCard } from '../ClusterView/TitledCard';
import { branchCell, BranchRow } from './BranchRow';
import { CreateBranchDialog } from './CreateBranchDialog';
import { DeleteBranchDialog } from './DeleteBranchDialog';

export interface BranchesCardProps {
  cluster: Cluster;
  offering?: Offering;
  /** Branching copies all of the cluster's data, which takes what revealing its credentials takes. */
  copy: Allowance;
}

/** The cluster's branches with their expiry; creating, extending and deleting them for those allowed to. */
export const BranchesCard = ({ cluster, offering, copy }: BranchesCardProps) => {
  const { branches, error: loadError, refresh } = useBranches(cluster.id);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<Cluster>();
  const [error, setError] = useState<string>();
  const [created, setCreated] = useState<string>();
  const maxTtl = offering?.branches.maxTtlHours;

  const changed = () => {
    setError(undefined);
    refresh();
  };

  return (
    <TitledCard title="Branches">
      <Flex direction="column" gap="3">
        <Text color="secondary">
          Short-lived writable copies of {cluster.name} for development and tests; each is deleted when its time to
          live ends{maxTtl ? ` (at most ${maxTtl} hours)` : ''}.
        </Text>
        {loadError && <Alert status="danger" title="The branches could not be read" description={describeApiError(loadError)} />}
        {!branches && !loadError && <Skeleton width="100%" height={32} />}
        {branches?.length === 0 && <Text color="secondary">No branches.</Text>}
        {!!branches?.length && (
          <div style={{ overflowX: 'auto' }}>
            <table aria-label="Branches" style={{ borderCollapse: 'collapse', width: '100%' }}>
              <thead>
                <tr>
                  {['Name', 'Status', 'Expiry', ''].map(title => (
                    <th key={title} scope="col" style={branchCell}>
                      <Text variant="body-small" weight="bold">
                        {title}
                      </Text>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {branches.map(branch => (
                  <BranchRow
                    key={branch.id}
                    branch={branch}
                    offering={offering}
                    onChange={changed}
                    onError={setError}
                    onDelete={setDeleting}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}
        {copy.allowed && (
          <Flex>
            <Button onPress={() => setCreating(true)}>Create branch</Button>
          </Flex>
        )}
        {created && <Text color="secondary">Creating {created}; it is ready once its data is copied.</Text>}
        {error && <Alert status="danger" title="The change was refused" description={error} />}
      </Flex>
      {creating && (
        <CreateBranchDialog
          cluster={cluster}
          offering={offering}
          onClose={() => setCreating(false)}
          onCreated={change => {
            setCreating(false);
            setCreated(change.cluster.name);
            changed();
          }}
        />
      )}
      {deleting && (
        <DeleteBranchDialog
          branch={deleting}
          parentName={cluster.name}
          onClose={() => setDeleting(undefined)}
          onDeleted={() => {
            setDeleting(undefined);
            changed();
          }}
        />
      )}
    </TitledCard>
  );
};
