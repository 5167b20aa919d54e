import { useApi } from '@backstage/frontend-plugin-api';
import {
  Alert,
  Button,
  Dialog,
  DialogBody,
  DialogFooter,
  DialogHeader,
  Flex,
  Link,
  Radio,
  RadioGroup,
  Text,
  TextField,
} from '@backstage/ui';
import {
  Backup,
  Cluster,
  clusterNameSchema,
  describeApiError,
  RecoveryWindow,
  RestoreRequest,
} from '@orochi/backstage-plugin-orochi-common';
import { useState } from 'react';
import { orochiApiRef } from '../../api';
import { useClusterHref } from '../../hooks/useClusterHref';
import { ended, useOperation } from '../../hooks/useOperation';
import { OperationProgress } from '../OperationProgress';
import { DateTimeField } from './DateTimeField';
import { humanBytes, localTime } from './format';
import { copyName, outsideWindow } from './recovery';

type Mode = 'time' | 'backup' | 'latest';

export interface RestoreDialogProps {
  cluster: Cluster;
  window: RecoveryWindow;
  backups: Backup[];
  onClose(): void;
}

/**
 * Restores a cluster into a new one: at a moment of its recovery window, a backup's consistent state, or its latest
 * state. The source keeps running. Shows the new cluster's restore until it has finished, then links to it.
 */
export const RestoreDialog = ({ cluster, window, backups, onClose }: RestoreDialogProps) => {
  const orochi = useApi(orochiApiRef);
  const clusterHref = useClusterHref();
  const completed = backups
    .filter(b => b.state === 'completed')
    .sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
  const [mode, setMode] = useState<Mode>('time');
  const [time, setTime] = useState<string | undefined>(window.latest);
  const [backupId, setBackupId] = useState(completed[0]?.id ?? '');
  const [name, setName] = useState(copyName(cluster.name, 'restored'));
  const [error, setError] = useState<string>();
  const [started, setStarted] = useState<{ clusterId: string; name: string; operationId: string }>();
  const [busy, setBusy] = useState(false);
  const operation = useOperation(started?.operationId);

  const nameCheck = clusterNameSchema.safeParse(name);
  const nameError = nameCheck.success ? undefined : nameCheck.error.issues[0].message;
  const timeError = mode === 'time' ? outsideWindow(window, time) : undefined;
  const invalid = !!nameError || !!timeError || (mode === 'backup' && !backupId);

  const submit = async () => {
    const request: RestoreRequest = {
      name,
      ...(mode === 'time' ? { targetTime: time } : {}),
      ...(mode === 'backup' ? { backupId } : {}),
    };
    setBusy(true);
    try {
      const change = await orochi.restoreCluster(cluster.id, request);
      setError(undefined);
      setStarted({ clusterId: change.cluster.id, name: change.cluster.name, operationId: change.operation.id });
    } catch (e) {
      // A moment outside the window is refused with the window in the message; show it as the backend puts it.
      setError(describeApiError(e));
    } finally {
      setBusy(false);
    }
  };

  const locked = !!started || busy;
  return (
    <Dialog isOpen onOpenChange={open => !open && onClose()} width={560}>
      <DialogHeader>Restore cluster</DialogHeader>
      <DialogBody>
        <Flex direction="column" gap="4">
          <Text>
            Restores {cluster.name} into a new cluster. {cluster.name} keeps running and is not changed; restoring in
            place is not offered yet.
          </Text>
          <Text color="secondary">
            Recovery window: {localTime(window.earliest)} to {localTime(window.latest)} (your time zone).
          </Text>
          <RadioGroup label="Restore from" value={mode} onChange={value => setMode(value as Mode)} isDisabled={locked}>
            <Radio value="time">Point in time</Radio>
            <Radio value="backup" isDisabled={completed.length === 0}>
              Backup
            </Radio>
            <Radio value="latest">Latest</Radio>
          </RadioGroup>
          {mode === 'time' && (
            <DateTimeField
              label="Restore to"
              value={time}
              onChange={setTime}
              min={window.earliest}
              max={window.latest}
              description="A moment inside the recovery window, in your time zone."
              error={time ? timeError : undefined}
              isDisabled={locked}
            />
          )}
          {mode === 'backup' && (
            <RadioGroup label="Backup" value={backupId} onChange={setBackupId} isDisabled={locked}>
              {completed.map(b => (
                <Radio key={b.id} value={b.id}>
                  {localTime(b.recoverableFrom ?? b.finishedAt ?? b.startedAt)} · {b.kind} · {humanBytes(b.sizeBytes)}
                </Radio>
              ))}
            </RadioGroup>
          )}
          {mode === 'latest' && (
            <Text color="secondary">The newest state the archived WAL reaches, {localTime(window.latest)} or later.</Text>
          )}
          <TextField
            label="New cluster name"
            value={name}
            onChange={setName}
            isDisabled={locked}
            isInvalid={!!nameError}
            description="Lowercase letters, digits and -; it is also the new cluster’s catalog name."
          />
          {nameError && <Text color="danger">Name {nameError}.</Text>}
          {error && <Alert status="danger" title="The restore was refused" description={error} />}
          {started && (
            <Flex direction="column" gap="2">
              <Text>
                Restoring into {started.name}; it appears among the clusters now and is ready when the restore has
                finished. You may close this dialog meanwhile.
              </Text>
              {operation && <OperationProgress operation={operation} />}
              {operation?.state === 'succeeded' && (
                <Link href={clusterHref(started.clusterId)}>Open {started.name}</Link>
              )}
            </Flex>
          )}
        </Flex>
      </DialogBody>
      <DialogFooter>
        <Button variant="secondary" onPress={onClose}>
          {started ? 'Close' : 'Cancel'}
        </Button>
        {!started && (
          <Button onPress={submit} isPending={busy} isDisabled={invalid}>
            Restore
          </Button>
        )}
        {started && !ended(operation) && <Text color="secondary">Restoring…</Text>}
      </DialogFooter>
    </Dialog>
  );
};
