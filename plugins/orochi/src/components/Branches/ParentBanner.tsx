import { Alert, Flex, Link, Text } from '@backstage/ui';
import { Cluster, Offering } from '@orochi/backstage-plugin-orochi-common';
import { useState } from 'react';
import { useClusterHref } from '../../hooks/useClusterHref';
import { Allowance } from '../../hooks/useClusterPermissions';
import { localTime } from '../Backups/format';
import { Expiry } from './Expiry';
import { ExtendMenu } from './ExtendMenu';

export interface ParentBannerProps {
  cluster: Cluster;
  offering?: Offering;
  /** Extending a branch takes orochi.cluster.update on it. */
  update: Allowance;
  /** Called once the expiry was changed, so the page reads the cluster again. */
  onChange(): void;
}

/**
 * At the top of a copy's page: a branch says whose branch it is and when it expires, with Extend; a restored
 * cluster says where and from when it was restored.
 */
export const ParentBanner = ({ cluster, offering, update, onChange }: ParentBannerProps) => {
  const clusterHref = useClusterHref();
  const [error, setError] = useState<string>();
  const { parent } = cluster;
  if (!parent) return null;
  const parentLink = <Link href={clusterHref(parent.clusterId)}>{parent.clusterName}</Link>;
  let from: string;
  if (parent.backupId) from = `from backup ${parent.backupId}`;
  else if (parent.targetTime) from = `at ${localTime(parent.targetTime)}`;
  else from = `as it was at ${localTime(cluster.createdAt)}`;

  if (parent.kind === 'restore') {
    return (
      <Alert
        status="info"
        aria-label="Origin"
        title={
          <Text as="span">
            Restored from {parentLink} {from}
          </Text>
        }
      />
    );
  }
  return (
    <Alert
      status={cluster.expiresAt && Date.parse(cluster.expiresAt) - Date.now() < 3_600_000 ? 'warning' : 'info'}
      aria-label="Origin"
      title={
        <Text as="span">
          Branch of {parentLink} · <Expiry expiresAt={cluster.expiresAt} showTime />
        </Text>
      }
      description={
        <Flex direction="column" gap="1">
          <Text as="span">
            A copy of {parent.clusterName} {from}. It is deleted when it expires; extend it to keep it longer.
          </Text>
          {error && (
            <Text as="span" color="danger">
              {error}
            </Text>
          )}
        </Flex>
      }
      customActions={
        update.allowed ? (
          <ExtendMenu
            branch={cluster}
            offering={offering}
            onExtended={() => {
              setError(undefined);
              onChange();
            }}
            onError={setError}
          />
        ) : undefined
      }
    />
  );
};
