import { useApi } from '@backstage/frontend-plugin-api';
import { Alert, Button, Flex, Skeleton, Text } from '@backstage/ui';
import { Cluster, describeApiError } from '@orochi/backstage-plugin-orochi-common';
import { useEffect, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { orochiApiRef } from '../../api';
import { Allowance } from '../../hooks/useClusterPermissions';
import { ended, useOperation } from '../../hooks/useOperation';
import { TitledCard } from '../ClusterView/TitledCard';
import { OperationProgress } from '../OperationProgress';
import { BackupList } from './BackupList';
import { RecoveryTimeline } from './RecoveryTimeline';
import { RestoreDialog } from './RestoreDialog';

export interface BackupsCardProps {
  cluster: Cluster;
  /** Backing up takes orochi.cluster.update. */
  update: Allowance;
  /** Restoring copies all of the cluster's data, which takes what revealing its credentials takes. */
  copy: Allowance;
  /** Called once a backup was accepted, so the page follows its operation. */
  onChange(): void;
}

/** Why "Back up now" cannot be used, or undefined when it can. */
function backupBlocked(cluster: Cluster, update: Allowance): string | undefined {
  if (update.loading) return ''; // the decision is on its way; nothing to explain yet
  if (!update.allowed) return 'You may not back up this cluster; ask its owners.';
  if (cluster.status !== 'ready') return `Only a ready cluster can be backed up; this one is ${cluster.status}.`;
  return undefined;
}

/** The cluster's recovery window and backups, "Back up now" with its progress, and restoring into a new cluster. */
export const BackupsCard = ({ cluster, update, copy, onChange }: BackupsCardProps) => {
  const orochi = useApi(orochiApiRef);
  const [backupOperationId, setBackupOperationId] = useState<string>();
  const [requesting, setRequesting] = useState(false);
  const [restoring, setRestoring] = useState(false);
  const [error, setError] = useState<string>();
  const backupOperation = useOperation(backupOperationId);

  // Read again when an operation of the cluster starts or ends (a scheduled backup, say) and after our own.
  const { value, error: loadError, loading, retry } = useAsyncRetry(async () => {
    const [{ items }, window] = await Promise.all([orochi.listBackups(cluster.id), orochi.getRecoveryWindow(cluster.id)]);
    return { backups: items, window };
  }, [orochi, cluster.id, cluster.currentOperationId]);
  const backupEnded = ended(backupOperation);
  useEffect(() => {
    if (backupEnded) retry();
  }, [backupEnded, retry]);

  const backUp = async () => {
    setRequesting(true);
    try {
      const change = await orochi.backupCluster(cluster.id);
      setError(undefined);
      setBackupOperationId(change.operation.id);
      onChange();
    } catch (e) {
      setError(describeApiError(e));
    } finally {
      setRequesting(false);
    }
  };

  const blocked = backupBlocked(cluster, update);
  const backupRunning = !!backupOperationId && !backupEnded;
  const hasWindow = !!value?.window.earliest && !!value?.window.latest;
  return (
    <TitledCard title="Backups">
      <Flex direction="column" gap="4">
        <Text color="secondary">
          {cluster.backups.enabled
            ? `Scheduled backups are on (cron ${cluster.backups.schedule}), kept ${cluster.backups.retentionDays} days.`
            : 'Scheduled backups are off.'}
        </Text>
        {loadError && <Alert status="danger" title="The backups could not be read" description={describeApiError(loadError)} />}
        {!value && loading && <Skeleton width="100%" height={48} />}
        {value && <RecoveryTimeline window={value.window} backups={value.backups} />}
        {value && <BackupList backups={value.backups} />}
        <Flex gap="3" align="center" style={{ flexWrap: 'wrap' }}>
          <Button onPress={backUp} isDisabled={blocked !== undefined || backupRunning} isPending={requesting}>
            Back up now
          </Button>
          <Button variant="secondary" onPress={() => setRestoring(true)} isDisabled={!copy.allowed || !hasWindow}>
            Restore…
          </Button>
        </Flex>
        {blocked && <Text color="secondary">{blocked}</Text>}
        {!copy.loading && !copy.allowed && (
          <Text color="secondary">You may not copy this cluster’s data, so you cannot restore it.</Text>
        )}
        {copy.allowed && value && !hasWindow && (
          <Text color="secondary">Restoring needs a completed backup.</Text>
        )}
        {backupOperation && <OperationProgress operation={backupOperation} />}
        {error && <Alert status="danger" title="The backup was refused" description={error} />}
      </Flex>
      {restoring && value && (
        <RestoreDialog cluster={cluster} window={value.window} backups={value.backups} onClose={() => setRestoring(false)} />
      )}
    </TitledCard>
  );
};
