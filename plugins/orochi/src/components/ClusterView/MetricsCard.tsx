import { useApi } from '@backstage/frontend-plugin-api';
import { Flex, Grid, Text } from '@backstage/ui';
import { TitledCard } from './TitledCard';
import { AutoscalingDecision, MetricsPoint } from '@orochi/backstage-plugin-orochi-common';
import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { orochiApiRef } from '../../api';
import { usePolled } from '../../hooks/usePolled';

const REFRESH_MS = 15_000;
const MIB = 2 ** 20;

const CHARTS: Array<{ key: keyof Omit<MetricsPoint, 'at'>; title: string; format(value: number): string }> = [
  { key: 'connections', title: 'Connections', format: v => v.toFixed(0) },
  { key: 'transactionsPerSecond', title: 'Transactions per second', format: v => v.toFixed(1) },
  { key: 'cpuPercent', title: 'CPU (% of one vCPU)', format: v => `${v.toFixed(1)} %` },
  { key: 'memoryBytes', title: 'Memory', format: v => `${(v / MIB).toFixed(0)} MiB` },
  { key: 'storageBytes', title: 'Storage', format: v => `${(v / MIB).toFixed(0)} MiB` },
];

const time = (at: number) => new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/** The charts on which the autoscaler's changes are marked: those of what it decides from. */
const MARKED: Partial<Record<keyof Omit<MetricsPoint, 'at'>, Array<AutoscalingDecision['action']>>> = {
  cpuPercent: ['scale-up', 'scale-down'],
  memoryBytes: ['scale-up', 'scale-down'],
  storageBytes: ['grow-storage'],
};
const MARKER_COLORS: Record<AutoscalingDecision['action'], string> = {
  'scale-up': '#dc2626',
  'scale-down': '#16a34a',
  'grow-storage': '#9333ea',
  none: '#6b7280',
};

/**
 * The primary's activity over the last hour, sampled by the backend, one chart per measure; the autoscaler's
 * changes are vertical lines on the charts of what it decided from.
 */
export const MetricsCard = ({ clusterId, decisions = [] }: { clusterId: string; decisions?: AutoscalingDecision[] }) => {
  const orochi = useApi(orochiApiRef);
  const { value: points, error } = usePolled(async () => (await orochi.getMetrics(clusterId, { minutes: 60 })).points, REFRESH_MS, [
    orochi,
    clusterId,
  ]);

  const latest = points?.[points.length - 1];
  const data = points?.map(point => ({ ...point, time: Date.parse(point.at) }));
  return (
    <TitledCard title="Metrics (last hour)">
        {error && <Text color="danger">The metrics could not be loaded: {error}</Text>}
        {!error && points?.length === 0 && (
          <Text color="secondary">No samples yet: the backend samples running clusters every few seconds.</Text>
        )}
        {latest && (
          <Grid.Root columns={{ initial: '1', md: '2' }} gap="4">
            {CHARTS.map(chart => (
              <Flex direction="column" gap="1" key={chart.key}>
                <Text weight="bold">
                  {chart.title}: <span data-testid={`metric-${chart.key}`}>{chart.format(latest[chart.key])}</span>
                </Text>
                <div style={{ width: '100%', height: 160 }}>
                  <ResponsiveContainer>
                    <LineChart data={data}>
                      <CartesianGrid strokeDasharray="3 3" />
                      <XAxis dataKey="time" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={time} minTickGap={30} />
                      <YAxis tickFormatter={v => chart.format(Number(v))} width={70} />
                      <Tooltip labelFormatter={label => new Date(String(label)).toLocaleString()} formatter={v => chart.format(Number(v))} />
                      <Line type="monotone" dataKey={chart.key} dot={false} isAnimationActive={false} stroke="#2563eb" />
                      {decisions
                        .filter(d => MARKED[chart.key]?.includes(d.action))
                        .map(d => (
                          <ReferenceLine
                            key={d.id}
                            x={Date.parse(d.decidedAt)}
                            stroke={MARKER_COLORS[d.action]}
                            strokeDasharray="4 2"
                            label={{ value: d.action === 'grow-storage' ? `${d.to?.storageGb} GB` : d.to?.size, position: 'insideTopLeft', fontSize: 10 }}
                          />
                        ))}
                    </LineChart>
                  </ResponsiveContainer>
                </div>
              </Flex>
            ))}
          </Grid.Root>
        )}
      </TitledCard>
  );
};
