import { useApi } from '@backstage/frontend-plugin-api';
import { AutoscalingDecision, describeApiError } from '@orochi/backstage-plugin-orochi-common';
import { useEffect, useState } from 'react';
import { orochiApiRef } from '../api';

/** As often as the autoscaler decides by default. */
const REFRESH_MS = 30_000;

/** The autoscaler's decisions for the cluster over the last `minutes`, newest first, read again every round. */
export function useAutoscalingDecisions(clusterId: string, minutes: number) {
  const orochi = useApi(orochiApiRef);
  const [decisions, setDecisions] = useState<AutoscalingDecision[]>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    let cancelled = false;
    const load = () =>
      orochi.listAutoscalingDecisions(clusterId, { minutes }).then(
        ({ items }) => !cancelled && (setDecisions(items), setError(undefined)),
        e => !cancelled && setError(describeApiError(e)),
      );
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [orochi, clusterId, minutes]);

  return { decisions, error };
}
