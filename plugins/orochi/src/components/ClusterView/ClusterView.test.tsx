import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { defaultOffering, Operation } from '@orochi/backstage-plugin-orochi-common';
import { clusterRecord } from '@orochi/backstage-plugin-orochi-common/testUtils';
import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { orochiApiRef } from '../../api';
import { orochiApiMock } from '../../__testUtils__/orochiApiMock';
import { POLL_ACTIVE_MS, POLL_SETTLED_MS } from '../../hooks/useCluster';
import { ClusterView } from './ClusterView';

const mountedRoutes = { '/catalog/:namespace/:kind/:name': entityRouteRef };

const operation = (overrides: Partial<Operation>): Operation => ({
  id: 'op-1',
  clusterId: 'id-orders-db',
  clusterName: 'orders-db',
  type: 'create',
  parameters: {},
  state: 'succeeded',
  steps: [],
  attempts: 1,
  requestedBy: 'user:default/pat',
  createdAt: '2026-11-23T00:00:00.000Z',
  updatedAt: '2026-11-23T00:00:00.000Z',
  ...overrides,
}) as Operation;

async function render(
  options: { api?: ReturnType<typeof orochiApiMock>; allow?: (name: string) => boolean; onDeleted?: () => void; clusterId?: string } = {},
) {
  const api = options.api ?? orochiApiMock({ getCluster: jest.fn(async () => clusterRecord('orders-db')) });
  const allow = options.allow ?? (() => true);
  // Permission decisions are cached per permission and resource across renders: tests that deny use their own id.
  const rendered = renderInTestApp(<ClusterView clusterId={options.clusterId ?? 'id-orders-db'} onDeleted={options.onDeleted ?? jest.fn()} />, {
    apis: [
      [orochiApiRef, api],
      [permissionApiRef, mockApis.permission({ authorize: req => (allow(req.permission.name) ? AuthorizeResult.ALLOW : AuthorizeResult.DENY) })],
    ],
    mountedRoutes,
  });
  // The view appears once the cluster and the offering are read; waiting for it right after rendering keeps
  // those reads' updates inside testing-library's wait.
  await screen.findByRole('heading', { name: 'orders-db' });
  // The permission decisions arrive on their own; the buttons they govern settle with them.
  await waitFor(() => expect(screen.queryByText('Checking your permissions…')).not.toBeInTheDocument());
  return { api, ...rendered };
}

describe('ClusterView', () => {
  it('shows the operation in progress step by step, with timings', async () => {
    const api = orochiApiMock({
      getCluster: jest.fn(async () => clusterRecord('orders-db', { status: 'updating', currentOperationId: 'op-2' })),
      listClusterOperations: jest.fn(async () => ({
        items: [
          operation({
            id: 'op-2',
            type: 'update',
            state: 'running',
            steps: [
              { name: 'Start primary', state: 'succeeded', startedAt: '2026-11-23T00:00:00.000Z', finishedAt: '2026-11-23T00:00:01.500Z' },
              { name: 'Converge to 1 streaming standbys', state: 'running', startedAt: '2026-11-23T00:00:01.500Z' },
            ],
          }),
          operation({ id: 'op-1', type: 'create', state: 'succeeded' }),
        ],
      })),
    });
    await render({ api });
    expect(screen.getByText('updating')).toBeInTheDocument();
    expect(screen.getByText('update running')).toBeInTheDocument();
    expect(screen.getByText(/✓ Start primary/)).toHaveTextContent('✓ Start primary (1.5 s)');
    expect(screen.getByText(/◐ Converge to 1 streaming standbys/)).toBeInTheDocument();
    expect(screen.getByText(/create succeeded · user:default\/pat/)).toBeInTheDocument();
    // While the operation runs, changes wait.
    expect(screen.getByText('An operation is in progress; wait until it has finished.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Hibernate' })).toBeDisabled();
    // The owner links to its catalog entity.
    expect(screen.getByRole('link', { name: 'team-payments' })).toHaveAttribute('href', '/catalog/default/group/team-payments');
  });

  it('follows a running operation, and stops reading once it is closed', async () => {
    jest.useFakeTimers();
    try {
      const api = orochiApiMock({
        getCluster: jest.fn(async () => clusterRecord('orders-db', { status: 'updating', currentOperationId: 'op-2' })),
      });
      const { unmount } = await render({ api });
      const reads = api.getCluster.mock.calls.length;
      // While an operation runs the view reads the cluster again every POLL_ACTIVE_MS.
      await act(async () => {
        await jest.advanceTimersByTimeAsync(POLL_ACTIVE_MS);
      });
      await waitFor(() => expect(api.getCluster.mock.calls.length).toBeGreaterThan(reads));
      expect(api.getMetrics).toHaveBeenCalled();
      // Closed, it leaves no timer behind: nothing reads the cluster or its metrics any more.
      unmount();
      const clusterReads = api.getCluster.mock.calls.length;
      const metricsReads = api.getMetrics.mock.calls.length;
      await jest.advanceTimersByTimeAsync(10 * POLL_SETTLED_MS);
      expect(api.getCluster).toHaveBeenCalledTimes(clusterReads);
      expect(api.getMetrics).toHaveBeenCalledTimes(metricsReads);
    } finally {
      jest.useRealTimers();
    }
  });

  it('shows where to connect and reveals the password on request to those allowed', async () => {
    const api = orochiApiMock({
      getCluster: jest.fn(async () => clusterRecord('orders-db')),
      revealCredentials: jest.fn(async () => ({
        host: 'localhost',
        port: 54320,
        database: 'app',
        user: 'app',
        password: 's3cret-password',
        uri: 'postgresql://app:s3cret-password@localhost:54320/app',
      })),
    });
    await render({ api });
    expect(screen.getByLabelText('psql')).toHaveTextContent('psql "postgresql://app@localhost:54320/app"');
    expect(screen.queryByText('s3cret-password')).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Reveal password' }));
    expect(await screen.findByLabelText('Password')).toHaveTextContent('s3cret-password');
    expect(screen.getByLabelText('URI')).toHaveTextContent('postgresql://app:s3cret-password@localhost:54320/app');
    expect(api.revealCredentials).toHaveBeenCalledWith('id-orders-db');
  });

  it('does not offer the password or changes to someone who may only read the cluster', async () => {
    const { api } = await render({ allow: name => name === 'orochi.cluster.read', clusterId: 'id-read-only' });
    await waitFor(() => expect(screen.getByRole('button', { name: 'Reveal password' })).toBeDisabled());
    expect(screen.getByText('You may not see this cluster’s password; ask its owners.')).toBeInTheDocument();
    expect(screen.getByText('You may not change this cluster; it belongs to team-payments.')).toBeInTheDocument();
    for (const name of ['Resize', 'Hibernate', 'Delete', 'Save autoscaling', 'Save scale to zero']) {
      expect(screen.getByRole('button', { name })).toBeDisabled();
    }
    expect(api.revealCredentials).not.toHaveBeenCalled();
  });

  it('resizes with only what changed, and shows why Orochi refused a change', async () => {
    const api = orochiApiMock({
      getCluster: jest.fn(async () => clusterRecord('orders-db')),
      // What the client throws for an error answer: a ResponseError carrying the API's error body.
      updateCluster: jest.fn().mockRejectedValue(
        Object.assign(new Error('Request failed with 409 Conflict'), {
          name: 'ResponseError',
          body: { error: { name: 'ConflictError', message: 'storageGb: the Pro plan allows 50 GB per team' } },
        }),
      ),
    });
    await render({ api });
    const storage = screen.getByRole('textbox', { name: 'Storage (GB)' });
    await userEvent.clear(storage);
    await userEvent.type(storage, '80');
    await userEvent.tab();
    await userEvent.click(screen.getByRole('button', { name: 'Resize' }));
    expect(api.updateCluster).toHaveBeenCalledWith('id-orders-db', { storageGb: 80 });
    expect(await screen.findByText('The change was refused')).toBeInTheDocument();
    expect(screen.getByText('storageGb: the Pro plan allows 50 GB per team')).toBeInTheDocument();
  });

  it('hibernates a running cluster', async () => {
    let hibernated = false;
    const api = orochiApiMock({
      getCluster: jest.fn(async () =>
        clusterRecord('orders-db', hibernated ? { hibernated: true, status: 'hibernated', endpoints: [] } : {}),
      ),
      hibernateCluster: jest.fn(async () => {
        hibernated = true;
        return {} as any;
      }),
    });
    await render({ api });
    await userEvent.click(screen.getByRole('button', { name: 'Hibernate' }));
    expect(api.hibernateCluster).toHaveBeenCalledWith('id-orders-db');
    // The view reads the cluster again at once and offers to wake it.
    expect(await screen.findByRole('button', { name: 'Wake' })).toBeEnabled();
  });

  it('wakes a hibernated cluster, which has nowhere to connect meanwhile', async () => {
    let awake = false;
    const sleeping = orochiApiMock({
      getCluster: jest.fn(async () =>
        clusterRecord('orders-db', awake ? {} : { hibernated: true, status: 'hibernated', endpoints: [] }),
      ),
      wakeCluster: jest.fn(async () => {
        awake = true;
        return {} as any;
      }),
    });
    await render({ api: sleeping });
    expect(screen.getByText('The cluster is hibernated; wake it to connect.')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Wake' }));
    expect(sleeping.wakeCluster).toHaveBeenCalledWith('id-orders-db');
    expect(await screen.findByRole('button', { name: 'Hibernate' })).toBeEnabled();
    expect(screen.getByLabelText('Host')).toHaveTextContent('localhost');
  });

  it('says when scale to zero suspended the cluster', async () => {
    const suspended = clusterRecord('orders-db', {
      hibernated: true,
      idleSuspended: true,
      status: 'suspended',
      endpoints: [],
      scaleToZero: { enabled: true, idleMinutes: 5 },
    });
    await render({ api: orochiApiMock({ getCluster: jest.fn(async () => suspended) }) });
    expect(screen.getByText('The cluster was suspended after 5 idle minutes (scale to zero); wake it to connect.')).toBeInTheDocument();
    expect(screen.getAllByTestId('cluster-status')[0]).toHaveTextContent('suspended');
    expect(screen.getByRole('button', { name: 'Wake' })).toBeEnabled();
  });

  it('says why billing suspended the cluster, and offers no wake', async () => {
    const suspended = clusterRecord('orders-db', { hibernated: true, billingSuspended: 'budget', status: 'hibernated', endpoints: [] });
    await render({ api: orochiApiMock({ getCluster: jest.fn(async () => suspended) }) });
    expect(
      screen.getByText("Billing suspended the cluster: the team's monthly budget is spent and its hard stop is on; it runs again next month or once the budget is raised."),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Wake' })).toBeDisabled();
  });

  it('keeps the address of a cluster that wakes on connect, and says since when it is idle', async () => {
    const suspended = clusterRecord('orders-db', {
      hibernated: true,
      idleSuspended: true,
      status: 'suspended',
      scaleToZero: { enabled: true, idleMinutes: 5 },
    });
    const suspension = {
      id: 'op-suspend',
      clusterId: suspended.id,
      clusterName: 'orders-db',
      type: 'suspend',
      parameters: { idleSince: '2026-12-03T12:00:00.000Z', idleMinutes: 5 },
      state: 'succeeded',
      steps: [],
      attempts: 1,
      requestedBy: 'orochi:idle',
      createdAt: '2026-12-03T12:05:00.000Z',
      updatedAt: '2026-12-03T12:05:01.000Z',
    };
    const api = orochiApiMock({
      getCluster: jest.fn(async () => suspended),
      listClusterOperations: jest.fn(async () => ({ items: [suspension] })),
    });
    await render({ api });
    expect(screen.getByLabelText('Host')).toHaveTextContent('localhost');
    expect(await screen.findByTestId('scale-to-zero-note')).toHaveTextContent(
      `Suspended when idle, idle since ${new Date('2026-12-03T12:00:00.000Z').toLocaleString()}. The first connection to this address wakes it`,
    );
  });

  it('deletes only after the cluster’s name was typed', async () => {
    const onDeleted = jest.fn();
    const api = orochiApiMock({ getCluster: jest.fn(async () => clusterRecord('orders-db')), deleteCluster: jest.fn(async () => ({} as any)) });
    await render({ api, onDeleted });
    await userEvent.click(screen.getByRole('button', { name: 'Delete' }));
    const confirm = await screen.findByRole('button', { name: 'Delete cluster' });
    expect(confirm).toBeDisabled();
    await userEvent.type(screen.getByRole('textbox', { name: 'Type orders-db to confirm' }), 'orders-d');
    expect(confirm).toBeDisabled();
    await userEvent.type(screen.getByRole('textbox', { name: 'Type orders-db to confirm' }), 'b');
    await userEvent.click(confirm);
    await waitFor(() => expect(onDeleted).toHaveBeenCalled());
    expect(api.deleteCluster).toHaveBeenCalledWith('id-orders-db');
  });

  it('offers connection pooling where the driver has it, and shows the pooler endpoint', async () => {
    let pooling = false;
    const api = orochiApiMock({
      getOffering: jest.fn(async () => defaultOffering([17], { pooling: true })),
      getCluster: jest.fn(async () =>
        clusterRecord('orders-db', {
          pooling: { enabled: pooling },
          endpoints: [
            { role: 'primary', host: 'orders-db-rw.orochi-team-payments.svc', port: 5432 },
            { role: 'pooler', host: 'orders-db-pooler.orochi-team-payments.svc', port: 5432 },
          ],
        }),
      ),
      updateCluster: jest.fn(async () => {
        pooling = true;
        return {} as any;
      }),
    });
    await render({ api, clusterId: 'id-pooled' });
    expect(screen.getByLabelText('Pooler', { exact: true })).toHaveTextContent('orders-db-pooler.orochi-team-payments.svc:5432');
    await userEvent.click(await screen.findByRole('switch', { name: 'PgBouncer (transaction mode)' }));
    await userEvent.click(screen.getByRole('button', { name: 'Save pooling' }));
    expect(api.updateCluster).toHaveBeenCalledWith('id-orders-db', { pooling: { enabled: true } });
    // The view reads the cluster again once the change was accepted: pooling is on, nothing is left to save.
    await waitFor(() => expect(screen.getByRole('button', { name: 'Save pooling' })).toBeDisabled());
    expect(screen.getByRole('switch', { name: 'PgBouncer (transaction mode)' })).toBeChecked();
  });

  it('shows at the top of a branch whose branch it is and when it expires, above its backups and branches', async () => {
    // 50 s beyond the whole minutes, so the countdown keeps its text while the test runs.
    const expiresAt = new Date(Date.now() + 3 * 3_600_000 + 50_000).toISOString();
    const api = orochiApiMock({
      getCluster: jest.fn(async () =>
        clusterRecord('orders-db', { parent: { kind: 'branch', clusterId: 'id-orders-main', clusterName: 'orders-main' }, expiresAt }),
      ),
    });
    await render({ api, clusterId: 'id-branch' });
    expect(screen.getByLabelText('Origin')).toHaveTextContent(/^Branch of orders-main · expires in 3 h 0 min \(at .+\)/);
    expect(screen.getByRole('link', { name: 'orders-main' })).toHaveAttribute('href', '/orochi/clusters/id-orders-main');
    expect(await screen.findByRole('button', { name: 'Extend' })).toBeEnabled();
    expect(await screen.findByText('No backups yet.')).toBeInTheDocument();
    expect(await screen.findByText('No branches.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Back up now' })).toBeEnabled();
    expect(screen.getByRole('button', { name: 'Create branch' })).toBeEnabled();
    expect(api.listBackups).toHaveBeenCalledWith('id-orders-db');
    expect(api.listBranches).toHaveBeenCalledWith('id-orders-db');
  });

  it('says when the cluster cannot be loaded', async () => {
    const api = orochiApiMock({ getCluster: jest.fn().mockRejectedValue(new Error('No cluster with id id-orders-db')) });
    renderInTestApp(<ClusterView clusterId="id-orders-db" onDeleted={jest.fn()} />, {
      apis: [
        [orochiApiRef, api],
        [permissionApiRef, mockApis.permission()],
      ],
      mountedRoutes,
    });
    expect(await screen.findByText('The cluster could not be loaded')).toBeInTheDocument();
    expect(screen.getByText('No cluster with id id-orders-db')).toBeInTheDocument();
  });
});
