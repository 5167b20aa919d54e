import { renderInTestApp } from '@backstage/frontend-test-utils';
import { AuthorizeResult, EvaluatePermissionRequest } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { Cluster, defaultOffering, Offering } from '@orochi/backstage-plugin-orochi-common';
import { clusterRecord } from '@orochi/backstage-plugin-orochi-common/testUtils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { orochiApiRef } from '../../api';
import { databasesRouteRef } from '../../routes';
import { allowed, change, denied } from '../../__testUtils__/backupFixtures';
import { orochiApiMock } from '../../__testUtils__/orochiApiMock';
import { BranchesCard } from './BranchesCard';

const HOUR = 3_600_000;

/** A branch of orders-db expiring `ms` from now. The countdown shows minutes; 50 s spare keep its text for the test. */
const branch = (name: string, ms: number, overrides: Partial<Cluster> = {}) =>
  clusterRecord(name, {
    parent: { kind: 'branch', clusterId: 'id-orders-db', clusterName: 'orders-db' },
    expiresAt: new Date(Date.now() + ms + 50_000).toISOString(),
    ...overrides,
  });

/** A permission API that allows what `allow` says, per permission name and resource. */
const permissions = (allow: (name: string, resourceRef?: string) => boolean = () => true) => ({
  authorize: jest.fn(async (request: EvaluatePermissionRequest) => ({
    result: allow(request.permission.name, (request as { resourceRef?: string }).resourceRef) ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
  })),
});

function render(
  api: ReturnType<typeof orochiApiMock>,
  options: { copy?: typeof allowed; offering?: Offering; permissionApi?: ReturnType<typeof permissions> } = {},
) {
  renderInTestApp(
    <BranchesCard cluster={clusterRecord('orders-db')} offering={options.offering ?? defaultOffering([15])} copy={options.copy ?? allowed} />,
    {
      apis: [
        [orochiApiRef, api],
        [permissionApiRef, options.permissionApi ?? permissions()],
      ],
      mountedRoutes: { '/orochi': databasesRouteRef },
    },
  );
}

const row = (name: string) => screen.getByRole('row', { name });

describe('BranchesCard', () => {
  it('lists the branches with their pages, status and a countdown to their expiry', async () => {
    const api = orochiApiMock({
      listBranches: jest.fn(async () => ({
        items: [
          branch('orders-db-dev', 5 * HOUR + 12 * 60_000),
          branch('orders-db-pr-42', 3 * 24 * HOUR + 4 * HOUR, { status: 'restoring', currentOperationId: undefined }),
        ],
      })),
    });
    render(api);
    expect(await screen.findByRole('link', { name: 'orders-db-dev' })).toHaveAttribute('href', '/orochi/clusters/id-orders-db-dev');
    expect(api.listBranches).toHaveBeenCalledWith('id-orders-db');
    expect(within(row('orders-db-dev')).getByTestId('branch-expiry')).toHaveTextContent(/^expires in 5 h 12 min$/);
    expect(within(row('orders-db-dev')).getByTestId('cluster-status')).toHaveTextContent('ready');
    expect(within(row('orders-db-pr-42')).getByTestId('branch-expiry')).toHaveTextContent(/^expires in 3 days 4 h$/);
    expect(within(row('orders-db-pr-42')).getByTestId('cluster-status')).toHaveTextContent('restoring');
    // Those allowed get the branch's actions once the decisions are in.
    expect(await within(row('orders-db-dev')).findByRole('button', { name: 'Extend' })).toBeEnabled();
    expect(within(row('orders-db-dev')).getByRole('button', { name: 'Delete branch' })).toBeEnabled();
  });

  it('creates a branch with the chosen time to live, offering only what the maximum allows', async () => {
    const items: Cluster[] = [];
    const api = orochiApiMock({
      listBranches: jest.fn(async () => ({ items: [...items] })),
      createBranch: jest.fn(async (_id: string, request: { name: string }) => {
        items.push(branch(request.name, 24 * HOUR, { status: 'restoring' }));
        return change(request.name, { id: 'op-branch', type: 'restore' });
      }),
    });
    render(api, { offering: { ...defaultOffering([15]), branches: { defaultTtlHours: 24, maxTtlHours: 7 * 24 } } });
    expect(await screen.findByText('No branches.')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Create branch' }));
    const dialog = await screen.findByRole('dialog', { name: 'Create branch' });
    // The dialog reads the recovery window; without a backup only "now" can be branched.
    expect(await within(dialog).findByText('A branch from a point in time needs a completed backup of orders-db.')).toBeInTheDocument();
    const ttl = within(dialog).getByRole('radiogroup', { name: 'Time to live' });
    expect(within(ttl).getAllByRole('radio').map(r => r.closest('label')?.textContent)).toEqual(['1 hour', '1 day', '7 days']);
    expect(within(ttl).getByRole('radio', { name: '1 day' })).toBeChecked();
    const name = within(dialog).getByRole('textbox', { name: 'Branch name' });
    await userEvent.clear(name);
    await userEvent.type(name, 'orders-db-feature');
    await userEvent.click(within(ttl).getByRole('radio', { name: '7 days' }));
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create' }));
    expect(await screen.findByRole('link', { name: 'orders-db-feature' })).toBeInTheDocument();
    expect(api.createBranch).toHaveBeenCalledWith('id-orders-db', { name: 'orders-db-feature', ttlHours: 168 });
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(screen.getByText('Creating orders-db-feature; it is ready once its data is copied.')).toBeInTheDocument();
  });

  it('offers no time to live beyond the installation’s maximum', async () => {
    render(orochiApiMock(), { offering: { ...defaultOffering([15]), branches: { defaultTtlHours: 48, maxTtlHours: 48 } } });
    await userEvent.click(await screen.findByRole('button', { name: 'Create branch' }));
    const dialog = await screen.findByRole('dialog', { name: 'Create branch' });
    expect(await within(dialog).findByText('A branch from a point in time needs a completed backup of orders-db.')).toBeInTheDocument();
    const ttl = within(dialog).getByRole('radiogroup', { name: 'Time to live' });
    expect(within(ttl).getAllByRole('radio').map(r => r.closest('label')?.textContent)).toEqual(['1 hour', '1 day']);
    expect(within(ttl).getByRole('radio', { name: '1 day' })).toBeChecked();
  });

  it('extends a branch to a time to live from now', async () => {
    const api = orochiApiMock({
      listBranches: jest.fn(async () => ({ items: [branch('orders-db-dev', 30 * 60_000)] })),
      updateCluster: jest.fn(async () => ({}) as any),
    });
    render(api);
    await userEvent.click(await within(await screen.findByRole('row', { name: 'orders-db-dev' })).findByRole('button', { name: 'Extend' }));
    const before = Date.now();
    await userEvent.click(await screen.findByRole('menuitem', { name: '1 day from now' }));
    await waitFor(() => expect(api.listBranches).toHaveBeenCalledTimes(2));
    const after = Date.now();
    expect(api.updateCluster).toHaveBeenCalledTimes(1);
    const [id, body] = api.updateCluster.mock.calls[0];
    expect(id).toBe('id-orders-db-dev');
    expect(Object.keys(body)).toEqual(['expiresAt']);
    expect(body.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(body.expiresAt!)).toBeGreaterThanOrEqual(before + 24 * HOUR);
    expect(Date.parse(body.expiresAt!)).toBeLessThanOrEqual(after + 24 * HOUR);
    await waitFor(() => expect(screen.queryByRole('menu')).not.toBeInTheDocument());
  });

  it('deletes a branch only once confirmed', async () => {
    let items = [branch('orders-db-dev', HOUR)];
    const api = orochiApiMock({
      listBranches: jest.fn(async () => ({ items })),
      deleteCluster: jest.fn(async () => {
        items = [];
        return {} as any;
      }),
    });
    render(api);
    await userEvent.click(await within(await screen.findByRole('row', { name: 'orders-db-dev' })).findByRole('button', { name: 'Delete branch' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete branch orders-db-dev?' });
    expect(within(dialog).getByText(/orders-db is not touched/)).toBeInTheDocument();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(api.deleteCluster).not.toHaveBeenCalled();

    await userEvent.click(within(row('orders-db-dev')).getByRole('button', { name: 'Delete branch' }));
    await userEvent.click(within(await screen.findByRole('dialog', { name: 'Delete branch orders-db-dev?' })).getByRole('button', { name: 'Delete' }));
    expect(await screen.findByText('No branches.')).toBeInTheDocument();
    expect(api.deleteCluster).toHaveBeenCalledWith('id-orders-db-dev');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('hides creating, extending and deleting from those not allowed', async () => {
    const permissionApi = permissions((_name, resourceRef) => resourceRef === 'id-orders-db-mine');
    const api = orochiApiMock({
      listBranches: jest.fn(async () => ({ items: [branch('orders-db-mine', HOUR), branch('orders-db-theirs', HOUR)] })),
    });
    render(api, { copy: denied, permissionApi });
    // The branch the user may change shows its actions once the decisions are in; the other shows none.
    expect(await within(await screen.findByRole('row', { name: 'orders-db-mine' })).findByRole('button', { name: 'Extend' })).toBeInTheDocument();
    // update, delete and credentials.read, for each branch.
    await waitFor(() => expect(permissionApi.authorize).toHaveBeenCalledTimes(6));
    expect(within(row('orders-db-theirs')).queryByRole('button', { name: 'Extend' })).not.toBeInTheDocument();
    expect(within(row('orders-db-theirs')).queryByRole('button', { name: 'Delete branch' })).not.toBeInTheDocument();
    expect(within(row('orders-db-theirs')).getByTestId('branch-expiry')).toHaveTextContent(/^expires in 1 h 0 min$/);
    expect(screen.queryByRole('button', { name: 'Create branch' })).not.toBeInTheDocument();
  });
});
