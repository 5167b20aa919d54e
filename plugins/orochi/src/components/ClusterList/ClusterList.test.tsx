import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { clusterRecord } from '@orochi/backstage-plugin-orochi-common/testUtils';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { orochiApiRef } from '../../api';
import { createClusterTemplateRouteRef, databasesRouteRef } from '../../routes';
import { orochiApiMock } from '../../__testUtils__/orochiApiMock';
import { ClusterList } from './ClusterList';

const routes = {
  '/orochi': databasesRouteRef,
  '/create/templates/:namespace/:templateName': createClusterTemplateRouteRef,
  '/catalog/:namespace/:kind/:name': entityRouteRef,
};

/**
 * Renders the list; each test then waits (findBy, waitFor) for the state it asserts, so that every update the
 * list makes as its reads resolve happens while testing-library waits, not after the test.
 */
function render(api = orochiApiMock()) {
  return renderInTestApp(<ClusterList />, {
    apis: [
      [orochiApiRef, api],
      [permissionApiRef, mockApis.permission()],
    ],
    mountedRoutes: routes,
  });
}

describe('ClusterList', () => {
  it('shows each cluster with its status, owner, size, plan, region, instances and compute this month', async () => {
    const api = orochiApiMock({
      getAccountClusterUsage: jest.fn(async (owner: string) => ({
        items: owner === 'group:default/team-payments' ? [{ clusterId: 'id-orders-db', usage: { compute_unit_seconds: 5400 } }] : [],
      })),
      listClusters: jest.fn(async () => ({
        items: [
          clusterRecord('orders-db', { system: 'system:default/payments' }),
          clusterRecord('search-db', { owner: 'group:default/team-search', status: 'provisioning', size: 'medium', instances: 2, readyInstances: 0 }),
        ],
        totalCount: 2,
      })),
    });
    render(api);
    expect(await screen.findByRole('link', { name: 'orders-db' })).toHaveAttribute('href', '/orochi/clusters/id-orders-db');
    expect(screen.getByText('payments')).toBeInTheDocument();
    // The owner links to its catalog entity.
    expect(screen.getByRole('link', { name: 'team-search' })).toHaveAttribute('href', '/catalog/default/group/team-search');
    expect(screen.getAllByTestId('cluster-status').map(e => e.textContent)).toEqual(['ready', 'provisioning']);
    const rows = () => screen.getAllByRole('row').slice(1).map(row => row.textContent);
    await waitFor(() =>
      expect(rows()).toEqual([
        'orders-dbpaymentsreadyteam-paymentssmallprolocal1/11.50 CU-hours · $0.15',
        'search-dbprovisioningteam-searchmediumprolocal0/2–',
      ]),
    );
    // The owner filter offers the owners of the visible clusters (read separately from the table's page).
    await waitFor(() =>
      expect(screen.getAllByRole('option', { hidden: true }).map(o => o.textContent)).toEqual(
        expect.arrayContaining(['team-payments', 'team-search']),
      ),
    );
    expect(screen.getByRole('link', { name: 'Create database' })).toHaveAttribute('href', '/create/templates/default/orochi-cluster');
  });

  it('marks branches and restored copies under their names', async () => {
    const parent = { clusterId: 'id-orders-db', clusterName: 'orders-db' };
    const api = orochiApiMock({
      listClusters: jest.fn(async () => ({
        items: [
          clusterRecord('orders-db'),
          clusterRecord('orders-db-dev', { parent: { kind: 'branch', ...parent }, expiresAt: '2026-12-04T00:00:00.000Z', system: 'system:default/payments' }),
          clusterRecord('orders-db-pitr', { parent: { kind: 'restore', ...parent, targetTime: '2026-12-02T08:15:30.000Z' } }),
        ],
        totalCount: 3,
      })),
    });
    render(api);
    expect(await screen.findByRole('link', { name: 'orders-db-dev' })).toHaveAttribute('href', '/orochi/clusters/id-orders-db-dev');
    expect(screen.getByText('branch of orders-db · payments')).toBeInTheDocument();
    expect(screen.getByText('restored from orders-db')).toBeInTheDocument();
    // The owner filter's own read settles too.
    await waitFor(() =>
      expect(screen.getAllByRole('option', { hidden: true }).map(o => o.textContent)).toEqual(expect.arrayContaining(['team-payments'])),
    );
  });

  it('asks the API for the name being searched', async () => {
    const api = orochiApiMock();
    render(api);
    expect(await screen.findByText('No databases yet')).toBeInTheDocument();
    await userEvent.type(screen.getByRole('searchbox', { name: 'Search by name' }), 'ord');
    await waitFor(() => expect(api.listClusters).toHaveBeenLastCalledWith(expect.objectContaining({ search: 'ord', offset: 0, limit: 20 })));
    // The answer for the search is shown as such.
    expect(await screen.findByText('No databases match')).toBeInTheDocument();
  });

  it('offers a way to create the first database when there is none', async () => {
    render();
    expect(await screen.findByText('No databases yet')).toBeInTheDocument();
    expect(screen.getByText(/ready in seconds/)).toBeInTheDocument();
  });

  it('says what went wrong when the clusters cannot be loaded, and retries', async () => {
    let failed = false;
    const api = orochiApiMock({
      listClusters: jest.fn(async query => {
        // The table's first page fails once; the owner filter's read is not what this test is about.
        if (query?.offset === 0 && !failed) {
          failed = true;
          throw new Error('backend down');
        }
        return { items: [clusterRecord('orders-db')], totalCount: 1 };
      }),
    });
    render(api);
    expect(await screen.findByText('The clusters could not be loaded')).toBeInTheDocument();
    expect(screen.getByText('backend down')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('link', { name: 'orders-db' })).toBeInTheDocument();
  });
});
