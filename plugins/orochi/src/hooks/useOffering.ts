import { useApi } from '@backstage/frontend-plugin-api';
import { Offering } from '@orochi/backstage-plugin-orochi-common';
import useAsync from 'react-use/esm/useAsync';
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
  const { value: offering, error, loading } = useAsync(() => orochi.getOffering(), [orochi]);
  return { offering, error, loading };
}
