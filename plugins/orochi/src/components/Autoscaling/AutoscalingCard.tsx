import { Flex, Text } from '@backstage/ui';
import { AutoscalingDecision, Cluster } from '@orochi/backstage-plugin-orochi-common';
import { localTime } from '../Backups/format';
import { TitledCard } from '../ClusterView/TitledCard';

const ACTION_TITLES: Record<AutoscalingDecision['action'], string> = {
  'scale-up': 'Scaled up',
  'scale-down': 'Scaled down',
  'grow-storage': 'Grew storage',
  none: 'No change',
};

/** What a change went from and to, in the units a user chose them in. */
function change(decision: AutoscalingDecision): string {
  const { from, to } = decision;
  if (!to) return '';
  return decision.action === 'grow-storage'
    ? `${from.storageGb} → ${to.storageGb} GB`
    : `${from.size} (${from.cu} CU) → ${to.size} (${to.cu} CU)`;
}

/**
 * The cluster's autoscaling: its range and current size, the last round's reasoning, and the changes the
 * autoscaler made in the last hour (also marked on the CPU, memory and storage charts).
 */
export const AutoscalingCard = ({
  cluster,
  decisions,
  error,
}: {
  cluster: Cluster;
  decisions?: AutoscalingDecision[];
  error?: string;
}) => {
  const { enabled, minCu, maxCu } = cluster.autoscaling;
  const [latest] = decisions ?? [];
  const changes = (decisions ?? []).filter(d => d.action !== 'none');
  return (
    <TitledCard title="Autoscaling">
      <Flex direction="column" gap="2">
        <Text>
          {enabled
            ? `On: between ${minCu} and ${maxCu} CU, now ${cluster.size} (${cluster.cu} CU). Orochi scales one size at a time when CPU or memory stays above or below its target, and grows storage past 80 %.`
            : `Off: the cluster stays at ${cluster.size} (${cluster.cu} CU). Turn it on under Manage.`}
        </Text>
        {error && <Text color="danger">The autoscaler’s decisions could not be loaded: {error}</Text>}
        {latest && (
          <Text color="secondary" data-testid="autoscaling-latest">
            Last round ({localTime(latest.decidedAt)}): {latest.rule}.
          </Text>
        )}
        {enabled && decisions && changes.length === 0 && <Text color="secondary">No changes in the last hour.</Text>}
        {changes.length > 0 && (
          <ol aria-label="Autoscaling changes" style={{ margin: 0, paddingLeft: '1.2rem' }}>
            {changes.map(decision => (
              <li key={decision.id}>
                <Text>
                  {localTime(decision.decidedAt)} · {ACTION_TITLES[decision.action]} {change(decision)}: {decision.rule}
                </Text>
              </li>
            ))}
          </ol>
        )}
      </Flex>
    </TitledCard>
  );
};
