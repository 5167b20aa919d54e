import { useApi } from '@backstage/frontend-plugin-api';
import { Flex, Grid, Text } from '@backstage/ui';
import { TitledCard } from './TitledCard';
import { MetricsPoint } from '@orochi/backstage-plugin-orochi-common';
import { useEffect, useState } from 'react';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { orochiApiRef } from '../../api';
import { describeApiError } from '@orochi/backstage-plugin-orochi-common';

const REFRESH_MS = 15_000;
const MIB = 2 ** 20;

const CHARTS: Array<{ key: keyof Omit<MetricsPoint, 'at'>; title: string; format(value: number): string }> = [
  { key: 'connections', title: 'Connections', format: v => v.toFixed(0) },
  { key: 'transactionsPerSecond', title: 'Transactions per second', format: v => v.toFixed(1) },
  { key: 'cpuPercent', title: 'CPU (% of one vCPU)', format: v => `${v.toFixed(1)} %` },
  { key: 'memoryBytes', title: 'Memory', format: v => `${(v / MIB).toFixed(0)} MiB` },
  { key: 'storageBytes', title: 'Storage', format: v => `${(v / MIB).toFixed(0)} MiB` },
];

const time = (at: string) => new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/** The primary's activity over the last hour, sampled by the backend, one chart per measure. */
export const MetricsCard = ({ clusterId }: { clusterId: string }) => {
  const orochi = useApi(orochiApiRef);
  const [points, setPoints] = useState<MetricsPoint[]>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    let cancelled = false;
    const load = () =>
      orochi.getMetrics(clusterId, { minutes: 60 }).then(
        metrics => !cancelled && (setPoints(metrics.points), setError(undefined)),
        e => !cancelled && setError(describeApiError(e)),
      );
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [orochi, clusterId]);

  const latest = points?.[points.length - 1];
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
                    <LineChart data={points}>
                      <CartesianGrid strokeDasharray="3 3" />
                      <XAxis dataKey="at" tickFormatter={time} minTickGap={30} />
                      <YAxis tickFormatter={v => chart.format(Number(v))} width={70} />
                      <Tooltip labelFormatter={label => new Date(String(label)).toLocaleString()} formatter={v => chart.format(Number(v))} />
                      <Line type="monotone" dataKey={chart.key} dot={false} isAnimationActive={false} stroke="#2563eb" />
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
