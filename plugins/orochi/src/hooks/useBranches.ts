import { useApi } from '@backstage/frontend-plugin-api';
import { Cluster } from '@orochi/backstage-plugin-orochi-common';
import { useCallback, useEffect, useState } from 'react';
import { orochiApiRef } from '../api';
import { POLL_ACTIVE_MS } from './useCluster';

export interface BranchesState {
  branches?: Cluster[];
  error?: Error;
  loading: boolean;
  /** Reads again now, e.g. right after a branch was created, extended or deleted. */
  refresh(): void;
}

/** A cluster's branches, read again while any of them is changing (being created or deleted). */
export function useBranches(clusterId: string): BranchesState {
  const orochi = useApi(orochiApiRef);
  const [state, setState] = useState<Omit<BranchesState, 'refresh'>>({ loading: true });
  const [tick, setTick] = useState(0);
  const refresh = useCallback(() => setTick(t => t + 1), []);

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    (async () => {
      try {
        const { items } = await orochi.listBranches(clusterId);
        if (cancelled) return;
        setState({ branches: items, loading: false });
        if (items.some(b => b.currentOperationId)) timer = setTimeout(refresh, POLL_ACTIVE_MS);
      } catch (error) {
        if (!cancelled) setState(s => ({ ...s, error: error as Error, loading: false }));
      }
    })();
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }, [orochi, clusterId, tick, refresh]);

  return { ...state, refresh };
}
