import { useApi } from '@backstage/frontend-plugin-api';
import { Offering } from '@orochi/backstage-plugin-orochi-common';
import { useEffect, useState } from 'react';
import { orochiApiRef } from '../api';

/** What this Orochi installation offers (GET /api/orochi/config): sizes, plans, regions, versions, limits. */
export function useOffering(): { offering?: Offering; error?: Error } {
  const orochi = useApi(orochiApiRef);
  const [state, setState] = useState<{ offering?: Offering; error?: Error }>({});
  useEffect(() => {
    orochi.getOffering().then(
      offering => setState({ offering }),
      error => setState({ error }),
    );
  }, [orochi]);
  return state;
}
