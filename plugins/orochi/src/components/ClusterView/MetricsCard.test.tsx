import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { orochiApiRef } from '../../api';
import { orochiApiMock } from '../../__testUtils__/orochiApiMock';
import { MetricsCard } from './MetricsCard';

const point = (at: string, connections: number) => ({
  at,
  connections,
  transactionsPerSecond: 12.34,
  cpuPercent: 7.5,
  memoryBytes: 64 * 2 ** 20,
  storageBytes: 30 * 2 ** 20,
});

describe('MetricsCard', () => {
  it('shows the latest value of each measure above its chart', async () => {
    const api = orochiApiMock({ getMetrics: jest.fn(async () => ({ points: [point('2026-11-23T00:00:00Z', 2), point('2026-11-23T00:00:15Z', 3)] })) });
    renderInTestApp(<MetricsCard clusterId="id-orders-db" />, { apis: [[orochiApiRef, api]] });
    expect(await screen.findByTestId('metric-connections')).toHaveTextContent('3');
    expect(screen.getByTestId('metric-transactionsPerSecond')).toHaveTextContent('12.3');
    expect(screen.getByTestId('metric-cpuPercent')).toHaveTextContent('7.5 %');
    expect(screen.getByTestId('metric-memoryBytes')).toHaveTextContent('64 MiB');
    expect(screen.getByTestId('metric-storageBytes')).toHaveTextContent('30 MiB');
    expect(api.getMetrics).toHaveBeenCalledWith('id-orders-db', { minutes: 60 });
  });

  it('explains an empty history', async () => {
    renderInTestApp(<MetricsCard clusterId="id-orders-db" />, { apis: [[orochiApiRef, orochiApiMock()]] });
    expect(await screen.findByText(/No samples yet/)).toBeInTheDocument();
  });

  it('says when the metrics cannot be loaded', async () => {
    const api = orochiApiMock({ getMetrics: jest.fn().mockRejectedValue(new Error('metrics store down')) });
    renderInTestApp(<MetricsCard clusterId="id-orders-db" />, { apis: [[orochiApiRef, api]] });
    expect(await screen.findByText('The metrics could not be loaded: metrics store down')).toBeInTheDocument();
  });
});
