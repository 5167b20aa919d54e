import { useApi } from '@backstage/frontend-plugin-api';
import { AutoscalingDecision } from '@orochi/backstage-plugin-orochi-common';
import { orochiApiRef } from '../api';
import { usePolled } from './usePolled';

/** As often as the autoscaler decides by default. */
const REFRESH_MS = 30_000;

/** The autoscaler's decisions for the cluster over the last `minutes`, newest first, read again every round. */
export function useAutoscalingDecisions(clusterId: string, minutes: number): { decisions?: AutoscalingDecision[]; error?: string } {
  const orochi = useApi(orochiApiRef);
  const { value, error } = usePolled(
    async () => (await orochi.listAutoscalingDecisions(clusterId, { minutes })).items,
    REFRESH_MS,
    [orochi, clusterId, minutes],
  );
  return { decisions: value, error };
}
