import { useApi } from '@backstage/frontend-plugin-api';
import { Alert, Button, Dialog, DialogBody, DialogFooter, DialogHeader, Flex, Text } from '@backstage/ui';
import { Cluster, describeApiError } from '@orochi/backstage-plugin-orochi-common';
import { useState } from 'react';
import { orochiApiRef } from '../../api';

/** Asks before a branch is deleted, then deletes it; the parent is not touched. */
export const DeleteBranchDialog = ({
  branch,
  parentName,
  onDeleted,
  onClose,
}: {
  branch: Cluster;
  parentName: string;
  onDeleted(): void;
  onClose(): void;
}) => {
  const orochi = useApi(orochiApiRef);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const remove = async () => {
    setBusy(true);
    try {
      await orochi.deleteCluster(branch.id);
      onDeleted();
    } catch (e) {
      setError(describeApiError(e));
      setBusy(false);
    }
  };
  return (
    <Dialog isOpen onOpenChange={open => !open && onClose()}>
      <DialogHeader>Delete branch {branch.name}?</DialogHeader>
      <DialogBody>
        <Flex direction="column" gap="3">
          <Text>
            The branch’s servers and data are removed. This cannot be undone; {parentName} is not touched.
          </Text>
          {error && <Alert status="danger" title="The branch could not be deleted" description={error} />}
        </Flex>
      </DialogBody>
      <DialogFooter>
        <Button variant="secondary" onPress={onClose}>
          Cancel
        </Button>
        <Button destructive onPress={remove} isPending={busy}>
          Delete
        </Button>
      </DialogFooter>
    </Dialog>
  );
};
