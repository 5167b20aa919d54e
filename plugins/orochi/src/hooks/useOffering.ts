import { useApi } from '@backstage/frontend-plugin-api';
import { Offering } from '@orochi/backstage-plugin-orochi-common';
import { useEffect, useState } from 'react';
import { orochiApiRef } from '../api';

export interface OfferingState {
  offering?: Offering;
  error?: Error;
  /** True until the offering was read or failed. */
  loading: boolean;
}

/** What this Orochi installation offers (GET /api/orochi/config): sizes, plans, regions, versions, limits. */
export function useOffering(): OfferingState {
  const orochi = useApi(orochiApiRef);
  const [state, setState] = useState<OfferingState>({ loading: true });
  useEffect(() => {
    // An answer that arrives after the component is gone (or after the API changed) is dropped.
    let cancelled = false;
    orochi.getOffering().then(
      offering => !cancelled && setState({ offering, loading: false }),
      error => !cancelled && setState({ error, loading: false }),
    );
    return () => {
      cancelled = true;
    };
  }, [orochi]);
  return state;
}
