import { renderInTestApp } from '@backstage/frontend-test-utils';
import { AutoscalingDecision } from '@orochi/backstage-plugin-orochi-common';
import { clusterRecord } from '@orochi/backstage-plugin-orochi-common/testUtils';
import { screen, within } from '@testing-library/react';
import { AutoscalingCard } from './AutoscalingCard';

const decision = (minute: number, overrides: Partial<AutoscalingDecision>): AutoscalingDecision => ({
  id: `d-${minute}`,
  clusterId: 'id-orders-db',
  decidedAt: `2026-12-03T12:${String(minute).padStart(2, '0')}:00Z`,
  action: 'none',
  rule: 'CPU 40 % and memory 10 % are within the targets',
  from: { size: 'medium', cu: 2, storageGb: 10 },
  inputs: { windowSeconds: 60, samples: 4, cpuPercent: 40, memoryPercent: 10 },
  ...overrides,
});

describe('AutoscalingCard', () => {
  const cluster = clusterRecord('orders-db', { size: 'medium', cu: 2, autoscaling: { enabled: true, minCu: 1, maxCu: 4 } });

  it('shows the range, the last round’s reasoning and the changes, newest first', async () => {
    const decisions = [
      decision(5, {}),
      decision(4, {
        action: 'scale-up',
        rule: 'CPU 95 % is above 77 % (70 % × 1.1)',
        from: { size: 'small', cu: 1, storageGb: 10 },
        to: { size: 'medium', cu: 2, storageGb: 10 },
        operationId: 'op-1',
      }),
      decision(2, { action: 'grow-storage', rule: 'storage 85 % is above 80 %', from: { size: 'small', cu: 1, storageGb: 8 }, to: { size: 'small', cu: 1, storageGb: 10 } }),
    ];
    await renderInTestApp(<AutoscalingCard cluster={cluster} decisions={decisions} />);
    expect(screen.getByText(/^On: between 1 and 4 CU, now medium \(2 CU\)/)).toBeInTheDocument();
    expect(screen.getByTestId('autoscaling-latest')).toHaveTextContent('CPU 40 % and memory 10 % are within the targets.');
    const changes = within(screen.getByRole('list', { name: 'Autoscaling changes' })).getAllByRole('listitem');
    expect(changes.map(item => item.textContent)).toEqual([
      expect.stringMatching(/Scaled up small \(1 CU\) → medium \(2 CU\): CPU 95 % is above 77 % \(70 % × 1\.1\)$/),
      expect.stringMatching(/Grew storage 8 → 10 GB: storage 85 % is above 80 %$/),
    ]);
  });

  it('says when autoscaling is off, and when its decisions cannot be read', async () => {
    await renderInTestApp(
      <AutoscalingCard cluster={{ ...cluster, autoscaling: { enabled: false, minCu: 2, maxCu: 2 } }} decisions={[]} error="backend down" />,
    );
    expect(screen.getByText('Off: the cluster stays at medium (2 CU). Turn it on under Manage.')).toBeInTheDocument();
    expect(screen.getByText('The autoscaler’s decisions could not be loaded: backend down')).toBeInTheDocument();
  });
});
