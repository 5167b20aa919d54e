import { useApi } from '@backstage/frontend-plugin-api';
import { Cluster, Operation } from '@orochi/backstage-plugin-orochi-common';
import { useCallback, useEffect, useState } from 'react';
import { orochiApiRef } from '../api';

/** How often a cluster is read again: often while it changes, rarely when it is settled. */
export const POLL_ACTIVE_MS = 1500;
export const POLL_SETTLED_MS = 15000;

export interface ClusterState {
  cluster?: Cluster;
  operations: Operation[];
  error?: Error;
  loading: boolean;
  /** Reads again now, e.g. right after a change was requested. */
  refresh(): void;
}

/** A cluster and its recent operations, kept current while the page is open. */
export function useCluster(clusterId: string): ClusterState {
  const orochi = useApi(orochiApiRef);
  const [state, setState] = useState<Omit<ClusterState, 'refresh'>>({ operations: [], loading: true });
  const [tick, setTick] = useState(0);
  const refresh = useCallback(() => setTick(t => t + 1), []);

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    (async () => {
      try {
        const [cluster, { items }] = await Promise.all([
          orochi.getCluster(clusterId),
          orochi.listClusterOperations(clusterId),
        ]);
        if (cancelled) return;
        setState({ cluster, operations: items, loading: false });
        timer = setTimeout(refresh, cluster.currentOperationId ? POLL_ACTIVE_MS : POLL_SETTLED_MS);
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
