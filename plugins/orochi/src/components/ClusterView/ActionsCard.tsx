import { parseEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import { humanizeEntityRef } from '@backstage/plugin-catalog-react';
import {
  Alert,
  Button,
  Dialog,
  DialogBody,
  DialogFooter,
  DialogHeader,
  Flex,
  NumberField,
  Select,
  Switch,
  Text,
  TextField,
} from '@backstage/ui';
import { TitledCard } from './TitledCard';
import { Cluster, IDLE_MINUTES_RANGE, Offering, UpdateClusterRequest } from '@orochi/backstage-plugin-orochi-common';
import { ReactNode, useEffect, useState } from 'react';
import { orochiApiRef } from '../../api';
import { describeApiError } from '@orochi/backstage-plugin-orochi-common';
import { Allowance } from '../../hooks/useClusterPermissions';

interface ActionsProps {
  cluster: Cluster;
  offering?: Offering;
  update: Allowance;
  remove: Allowance;
  /** Called once a change was accepted, so the page follows its operation. */
  onChange(): void;
  /** Called once the delete was accepted. */
  onDeleted(): void;
}

/** Why an action cannot be taken now, or undefined when it can. */
function reasonBlocked(cluster: Cluster, allowance: Allowance): string | undefined {
  if (allowance.loading) return 'Checking your permissions…';
  if (!allowance.allowed) {
    // Who may is the portal's policy to say; the owner is who to ask.
    return `You may not change this cluster; it belongs to ${humanizeEntityRef(parseEntityRef(cluster.owner), { defaultKind: 'group' })}.`;
  }
  if (cluster.currentOperationId) return 'An operation is in progress; wait until it has finished.';
  return undefined;
}

/** Form fields grow to their container; this keeps a row of them side by side. */
const Box = ({ children, width = 200 }: { children: ReactNode; width?: number }) => (
  <div style={{ width, flex: 'none' }}>{children}</div>
);

const Section = ({ title, children }: { title: string; children: ReactNode }) => (
  <Flex direction="column" gap="2">
    <Text weight="bold">{title}</Text>
    {children}
  </Flex>
);

/** Day-two changes: resize, autoscaling, scale to zero, hibernate and wake, delete. */
export const ActionsCard = ({ cluster, offering, update, remove, onChange, onDeleted }: ActionsProps) => {
  const orochi = useApi(orochiApiRef);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [size, setSize] = useState(cluster.size);
  const [instances, setInstances] = useState(cluster.instances);
  const [storageGb, setStorageGb] = useState(cluster.storageGb);
  const [autoscaling, setAutoscaling] = useState(cluster.autoscaling);
  const [scaleToZero, setScaleToZero] = useState(cluster.scaleToZero);
  const [pooling, setPooling] = useState(cluster.pooling);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [typedName, setTypedName] = useState('');

  // A settled cluster's spec may have changed (by this form or by someone else): start the form from it.
  useEffect(() => {
    setSize(cluster.size);
    setInstances(cluster.instances);
    setStorageGb(cluster.storageGb);
    setAutoscaling(cluster.autoscaling);
    setScaleToZero(cluster.scaleToZero);
    setPooling(cluster.pooling);
  }, [cluster.size, cluster.instances, cluster.storageGb, cluster.autoscaling, cluster.scaleToZero, cluster.pooling]);

  const run = async (action: () => Promise<unknown>, then = onChange) => {
    setBusy(true);
    try {
      await action();
      setError(undefined);
      then();
    } catch (e) {
      setError(describeApiError(e));
    } finally {
      setBusy(false);
    }
  };

  const updateBlocked = reasonBlocked(cluster, update);
  const deleteBlocked = reasonBlocked(cluster, remove);
  const resize: UpdateClusterRequest = {
    ...(size !== cluster.size ? { size } : {}),
    ...(instances !== cluster.instances ? { instances } : {}),
    ...(storageGb !== cluster.storageGb ? { storageGb } : {}),
  };
  const maxInstances = offering?.limits.maxInstances ?? cluster.instances;

  return (
    <TitledCard title="Manage">
        <Flex direction="column" gap="4">
          {updateBlocked && <Text color="secondary">{updateBlocked}</Text>}
          <Section title="Size and storage">
            <Flex gap="3" align="end" style={{ flexWrap: 'wrap' }}>
              <Box>
              <Select
                label="Size"
                options={(offering?.sizes ?? []).map(s => ({ id: s.name, label: s.title }))}
                selectedKey={size}
                onSelectionChange={key => setSize(String(key))}
                isDisabled={!!updateBlocked}
              />
              </Box>
              <Box>
              <NumberField label="Instances" value={instances} minValue={1} maxValue={maxInstances} onChange={setInstances} isDisabled={!!updateBlocked} />
              </Box>
              <Box>
              <NumberField label="Storage (GB)" value={storageGb} minValue={cluster.storageGb} onChange={setStorageGb} isDisabled={!!updateBlocked} />
              </Box>
              <Button
                onPress={() => run(() => orochi.updateCluster(cluster.id, resize))}
                isDisabled={!!updateBlocked || Object.keys(resize).length === 0}
                isPending={busy}
              >
                Resize
              </Button>
            </Flex>
          </Section>
          <Section title="Autoscaling">
            <Flex gap="3" align="end" style={{ flexWrap: 'wrap' }}>
              <Box>
              <Switch label="Enabled" isSelected={autoscaling.enabled} onChange={enabled => setAutoscaling({ ...autoscaling, enabled })} isDisabled={!!updateBlocked} />
              </Box>
              <Box>
              <NumberField label="Minimum CU" value={autoscaling.minCu} minValue={0.25} step={0.25} onChange={minCu => setAutoscaling({ ...autoscaling, minCu })} isDisabled={!!updateBlocked} />
              </Box>
              <Box>
              <NumberField label="Maximum CU" value={autoscaling.maxCu} minValue={0.25} step={0.25} onChange={maxCu => setAutoscaling({ ...autoscaling, maxCu })} isDisabled={!!updateBlocked} />
              </Box>
              <Button onPress={() => run(() => orochi.updateCluster(cluster.id, { autoscaling }))} isDisabled={!!updateBlocked} isPending={busy}>
                Save autoscaling
              </Button>
            </Flex>
          </Section>
          <Section title="Scale to zero">
            <Flex gap="3" align="end" style={{ flexWrap: 'wrap' }}>
              <Box>
              <Switch label="Suspend when idle" isSelected={scaleToZero.enabled} onChange={enabled => setScaleToZero({ ...scaleToZero, enabled })} isDisabled={!!updateBlocked} />
              </Box>
              <Box>
              <NumberField label="Idle minutes" value={scaleToZero.idleMinutes} minValue={IDLE_MINUTES_RANGE.min} maxValue={IDLE_MINUTES_RANGE.max} onChange={idleMinutes => setScaleToZero({ ...scaleToZero, idleMinutes })} isDisabled={!!updateBlocked} />
              </Box>
              <Button onPress={() => run(() => orochi.updateCluster(cluster.id, { scaleToZero }))} isDisabled={!!updateBlocked} isPending={busy}>
                Save scale to zero
              </Button>
            </Flex>
          </Section>
          {offering?.features.pooling && (
            <Section title="Connection pooling">
              <Flex gap="3" align="end" style={{ flexWrap: 'wrap' }}>
                <Box>
                  <Switch label="PgBouncer (transaction mode)" isSelected={pooling.enabled} onChange={enabled => setPooling({ enabled })} isDisabled={!!updateBlocked} />
                </Box>
                <Button onPress={() => run(() => orochi.updateCluster(cluster.id, { pooling }))} isDisabled={!!updateBlocked || pooling.enabled === cluster.pooling.enabled} isPending={busy}>
                  Save pooling
                </Button>
              </Flex>
            </Section>
          )}
          <Section title="Power">
            <Flex gap="3">
              {cluster.hibernated ? (
                <Button onPress={() => run(() => orochi.wakeCluster(cluster.id))} isDisabled={!!updateBlocked || !!cluster.billingSuspended} isPending={busy}>
                  Wake
                </Button>
              ) : (
                <Button onPress={() => run(() => orochi.hibernateCluster(cluster.id))} isDisabled={!!updateBlocked} isPending={busy}>
                  Hibernate
                </Button>
              )}
              <Button destructive variant="secondary" onPress={() => setConfirmDelete(true)} isDisabled={!!deleteBlocked}>
                Delete
              </Button>
            </Flex>
            {!updateBlocked && deleteBlocked && <Text color="secondary">{deleteBlocked}</Text>}
          </Section>
          {error && <Alert status="danger" title="The change was refused" description={error} />}
        </Flex>
        <Dialog isOpen={confirmDelete} onOpenChange={setConfirmDelete}>
          <DialogHeader>Delete {cluster.name}?</DialogHeader>
          <DialogBody>
            <Flex direction="column" gap="3">
              <Text>The servers and all data of this cluster are removed. This cannot be undone.</Text>
              <TextField label={`Type ${cluster.name} to confirm`} value={typedName} onChange={setTypedName} />
            </Flex>
          </DialogBody>
          <DialogFooter>
            <Button variant="secondary" onPress={() => setConfirmDelete(false)}>
              Cancel
            </Button>
            <Button
              destructive
              isDisabled={typedName !== cluster.name}
              isPending={busy}
              onPress={() =>
                run(
                  () => orochi.deleteCluster(cluster.id),
                  () => {
                    setConfirmDelete(false);
                    onDeleted();
                  },
                )
              }
            >
              Delete cluster
            </Button>
          </DialogFooter>
        </Dialog>
      </TitledCard>
  );
};
