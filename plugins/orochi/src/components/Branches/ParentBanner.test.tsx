import { renderInTestApp } from '@backstage/frontend-test-utils';
import { defaultOffering } from '@orochi/backstage-plugin-orochi-common';
import { clusterRecord } from '@orochi/backstage-plugin-orochi-common/testUtils';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { orochiApiRef } from '../../api';
import { databasesRouteRef } from '../../routes';
import { allowed, denied } from '../../__testUtils__/backupFixtures';
import { orochiApiMock } from '../../__testUtils__/orochiApiMock';
import { localTime } from '../Backups/format';
import { ParentBanner } from './ParentBanner';

const HOUR = 3_600_000;

function render(cluster: ReturnType<typeof clusterRecord>, options: { update?: typeof allowed; api?: ReturnType<typeof orochiApiMock> } = {}) {
  const api = options.api ?? orochiApiMock({ updateCluster: jest.fn(async () => ({}) as any) });
  const onChange = jest.fn();
  renderInTestApp(<ParentBanner cluster={cluster} offering={defaultOffering([15])} update={options.update ?? allowed} onChange={onChange} />, {
    apis: [[orochiApiRef, api]],
    mountedRoutes: { '/orochi': databasesRouteRef },
  });
  return { api, onChange };
}

describe('ParentBanner', () => {
  it('says whose branch a cluster is and when it expires, and extends it', async () => {
    // 50 s beyond the whole minutes, so the countdown keeps its text while the test runs.
    const expiresAt = new Date(Date.now() + 2 * HOUR + 5 * 60_000 + 50_000).toISOString();
    const branch = clusterRecord('orders-db-dev', {
      parent: { kind: 'branch', clusterId: 'id-orders-db', clusterName: 'orders-db' },
      expiresAt,
    });
    const { api, onChange } = render(branch);
    const banner = await screen.findByLabelText('Origin');
    expect(screen.getByRole('link', { name: 'orders-db' })).toHaveAttribute('href', '/orochi/clusters/id-orders-db');
    expect(banner).toHaveTextContent(`Branch of orders-db · expires in 2 h 5 min (at ${localTime(expiresAt)})`);
    await userEvent.click(screen.getByRole('button', { name: 'Extend' }));
    const before = Date.now();
    await userEvent.click(await screen.findByRole('menuitem', { name: '7 days from now' }));
    await waitFor(() => expect(onChange).toHaveBeenCalled());
    const [id, body] = api.updateCluster.mock.calls[0];
    expect(id).toBe('id-orders-db-dev');
    expect(Date.parse(body.expiresAt!) - before).toBeGreaterThanOrEqual(7 * 24 * HOUR);
    expect(Date.parse(body.expiresAt!) - Date.now()).toBeLessThanOrEqual(7 * 24 * HOUR);
  });

  it('shows why an extension was refused', async () => {
    const api = orochiApiMock({
      updateCluster: jest.fn().mockRejectedValue(
        Object.assign(new Error('Request failed'), { body: { error: { name: 'InputError', message: 'expiresAt: must be at most 168 hours from now' } } }),
      ),
    });
    render(
      clusterRecord('orders-db-dev', {
        parent: { kind: 'branch', clusterId: 'id-orders-db', clusterName: 'orders-db' },
        expiresAt: new Date(Date.now() + HOUR).toISOString(),
      }),
      { api },
    );
    await userEvent.click(await screen.findByRole('button', { name: 'Extend' }));
    await userEvent.click(await screen.findByRole('menuitem', { name: '1 hour from now' }));
    expect(await screen.findByText('expiresAt: must be at most 168 hours from now')).toBeInTheDocument();
  });

  it('offers no extension to those who may not change the branch', async () => {
    render(
      clusterRecord('orders-db-dev', {
        parent: { kind: 'branch', clusterId: 'id-orders-db', clusterName: 'orders-db' },
        expiresAt: new Date(Date.now() + HOUR + 50_000).toISOString(),
      }),
      { update: denied },
    );
    expect(await screen.findByLabelText('Origin')).toHaveTextContent(/expires in 1 h 0 min/);
    expect(screen.queryByRole('button', { name: 'Extend' })).not.toBeInTheDocument();
  });

  it('says where a restored cluster comes from, and from when', async () => {
    const targetTime = '2026-12-02T08:15:30.000Z';
    render(
      clusterRecord('orders-db-pitr', { parent: { kind: 'restore', clusterId: 'id-orders-db', clusterName: 'orders-db', targetTime } }),
    );
    expect(await screen.findByLabelText('Origin')).toHaveTextContent(`Restored from orders-db at ${localTime(targetTime)}`);
    expect(screen.getByRole('link', { name: 'orders-db' })).toHaveAttribute('href', '/orochi/clusters/id-orders-db');
    expect(screen.queryByRole('button', { name: 'Extend' })).not.toBeInTheDocument();
  });

  it('names the backup a cluster was restored from', async () => {
    render(clusterRecord('orders-db-copy', { parent: { kind: 'restore', clusterId: 'id-orders-db', clusterName: 'orders-db', backupId: 'backup-7' } }));
    expect(await screen.findByLabelText('Origin')).toHaveTextContent('Restored from orders-db from backup backup-7');
  });

  it('shows nothing for a cluster of its own', async () => {
    render(clusterRecord('orders-db'));
    // The test app renders the banner at once; there is nothing to wait for but the app itself.
    await waitFor(() => expect(document.body).not.toBeEmptyDOMElement());
    expect(screen.queryByLabelText('Origin')).not.toBeInTheDocument();
  });
});
