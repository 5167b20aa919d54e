import { useApi } from '@backstage/frontend-plugin-api';
import {
  Alert,
  Button,
  Dialog,
  DialogBody,
  DialogFooter,
  DialogHeader,
  Flex,
  Radio,
  RadioGroup,
  Text,
  TextField,
} from '@backstage/ui';
import {
  BranchRequest,
  Cluster,
  ClusterChange,
  clusterNameSchema,
  describeApiError,
  Offering,
} from '@orochi/backstage-plugin-orochi-common';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { orochiApiRef } from '../../api';
import { DateTimeField } from '../Backups/DateTimeField';
import { localTime } from '../Backups/format';
import { copyName, outsideWindow } from '../Backups/recovery';
import { defaultTtlHours, ttlChoices } from './ttl';

type From = 'now' | 'time';

export interface CreateBranchDialogProps {
  cluster: Cluster;
  offering?: Offering;
  /** Called with the new branch and its operation once the backend accepted it. */
  onCreated(change: ClusterChange): void;
  onClose(): void;
}

/** Creates a branch of the cluster, as it is now or as it was at a moment of its recovery window, with a time to live. */
export const CreateBranchDialog = ({ cluster, offering, onCreated, onClose }: CreateBranchDialogProps) => {
  const orochi = useApi(orochiApiRef);
  const recovery = useAsync(() => orochi.getRecoveryWindow(cluster.id), [orochi, cluster.id]);
  const window = recovery.value ?? {};
  const hasWindow = !!window.earliest && !!window.latest;
  const choices = ttlChoices(offering);
  const [name, setName] = useState(copyName(cluster.name, 'branch'));
  const [from, setFrom] = useState<From>('now');
  const [time, setTime] = useState<string>();
  const [ttl, setTtl] = useState(String(defaultTtlHours(offering)));
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const nameCheck = clusterNameSchema.safeParse(name);
  const nameError = nameCheck.success ? undefined : nameCheck.error.issues[0].message;
  const timeError = from === 'time' ? outsideWindow(window, time) : undefined;

  const submit = async () => {
    const request: BranchRequest = {
      name,
      ttlHours: Number(ttl),
      ...(from === 'time' ? { targetTime: time } : {}),
    };
    setBusy(true);
    try {
      const change = await orochi.createBranch(cluster.id, request);
      onCreated(change);
    } catch (e) {
      setError(describeApiError(e));
      setBusy(false);
    }
  };

  return (
    <Dialog isOpen onOpenChange={open => !open && onClose()} width={560}>
      <DialogHeader>Create branch</DialogHeader>
      <DialogBody>
        <Flex direction="column" gap="4">
          <Text>
            A writable copy of {cluster.name}’s data for development or tests, deleted when its time to live ends.
            {` ${cluster.name}`} keeps running and cannot be deleted while it has branches.
          </Text>
          <TextField label="Branch name" value={name} onChange={setName} isInvalid={!!nameError} isDisabled={busy} />
          {nameError && <Text color="danger">Name {nameError}.</Text>}
          <RadioGroup
            label="Branch from"
            value={from}
            onChange={value => {
              setFrom(value as From);
              if (value === 'time' && !time) setTime(window.latest);
            }}
            isDisabled={busy}
          >
            <Radio value="now">Now</Radio>
            <Radio value="time" isDisabled={!hasWindow}>
              A point in time
            </Radio>
          </RadioGroup>
          {!recovery.loading && !hasWindow && (
            <Text variant="body-small" color="secondary">
              A branch from a point in time needs a completed backup of {cluster.name}.
            </Text>
          )}
          {from === 'time' && (
            <DateTimeField
              label="Branch at"
              value={time}
              onChange={setTime}
              min={window.earliest}
              max={window.latest}
              description={`Between ${localTime(window.earliest)} and ${localTime(window.latest)}, in your time zone.`}
              error={time ? timeError : undefined}
              isDisabled={busy}
            />
          )}
          <RadioGroup label="Time to live" value={ttl} onChange={setTtl} orientation="horizontal" isDisabled={busy}>
            {choices.map(choice => (
              <Radio key={choice.hours} value={String(choice.hours)}>
                {choice.label}
              </Radio>
            ))}
          </RadioGroup>
          {error && <Alert status="danger" title="The branch was refused" description={error} />}
        </Flex>
      </DialogBody>
      <DialogFooter>
        <Button variant="secondary" onPress={onClose}>
          Cancel
        </Button>
        <Button onPress={submit} isPending={busy} isDisabled={!!nameError || !!timeError}>
          Create
        </Button>
      </DialogFooter>
    </Dialog>
  );
};
