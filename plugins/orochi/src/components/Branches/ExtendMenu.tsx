import { useApi } from '@backstage/frontend-plugin-api';
import { Button, Menu, MenuItem, MenuTrigger } from '@backstage/ui';
import { describeApiError, Offering } from '@orochi/backstage-plugin-orochi-common';
import { useState } from 'react';
import { orochiApiRef } from '../../api';
import { expiryIn, ttlChoices } from './ttl';

export interface ExtendMenuProps {
  branch: { id: string; name: string };
  offering?: Offering;
  /** Called once the new expiry was accepted. */
  onExtended(): void;
  onError(message: string): void;
  isDisabled?: boolean;
}

/**
 * "Extend": sets a branch's expiry to an hour, a day or a week from now (PATCH expiresAt), as far as the
 * installation's maximum time to live allows.
 */
export const ExtendMenu = ({ branch, offering, onExtended, onError, isDisabled }: ExtendMenuProps) => {
  const orochi = useApi(orochiApiRef);
  const [busy, setBusy] = useState(false);
  const extend = async (hours: number) => {
    setBusy(true);
    try {
      await orochi.updateCluster(branch.id, { expiresAt: expiryIn(hours) });
      onExtended();
    } catch (e) {
      onError(describeApiError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <MenuTrigger>
      <Button size="small" variant="secondary" isDisabled={isDisabled} isPending={busy}>
        Extend
      </Button>
      <Menu aria-label={`Extend ${branch.name}`} onAction={key => void extend(Number(key))}>
        {ttlChoices(offering).map(choice => (
          <MenuItem key={choice.hours} id={String(choice.hours)}>
            {`${choice.label} from now`}
          </MenuItem>
        ))}
      </Menu>
    </MenuTrigger>
  );
};
