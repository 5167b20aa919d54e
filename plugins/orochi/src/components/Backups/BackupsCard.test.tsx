import { renderInTestApp } from '@backstage/frontend-test-utils';
import { Cluster } from '@orochi/backstage-plugin-orochi-common';
import { clusterRecord } from '@orochi/backstage-plugin-orochi-common/testUtils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { orochiApiRef } from '../../api';
import { allowed, backup, denied, operation } from '../../__testUtils__/backupFixtures';
import { orochiApiMock } from '../../__testUtils__/orochiApiMock';
import { BackupsCard } from './BackupsCard';
import { localTime } from './format';

const window = { earliest: '2026-12-01T03:04:10.000Z', latest: '2026-12-03T09:59:58.000Z' };
const backups = [
  backup({ id: 'backup-0', startedAt: '2026-12-01T03:00:00.000Z', finishedAt: '2026-12-01T03:04:10.000Z', recoverableFrom: window.earliest, sizeBytes: 980_000_000 }),
  backup({ id: 'backup-1' }),
  backup({ id: 'backup-x', kind: 'manual', state: 'failed', startedAt: '2026-12-02T12:00:00.000Z', finishedAt: undefined, sizeBytes: undefined, recoverableFrom: undefined, error: 'the object store refused the upload' }),
];

function render(options: { api?: ReturnType<typeof orochiApiMock>; cluster?: Cluster; update?: typeof allowed; onChange?: () => void } = {}) {
  const api =
    options.api ??
    orochiApiMock({ listBackups: jest.fn(async () => ({ items: backups })), getRecoveryWindow: jest.fn(async () => window) });
  const onChange = options.onChange ?? jest.fn();
  renderInTestApp(
    <BackupsCard cluster={options.cluster ?? clusterRecord('orders-db')} update={options.update ?? allowed} copy={allowed} onChange={onChange} />,
    { apis: [[orochiApiRef, api]] },
  );
  return { api, onChange };
}

const rowTexts = (table: HTMLElement) => within(table).getAllByRole('row').slice(1).map(row => row.textContent);

describe('BackupsCard', () => {
  it('shows the recovery window as a bar with a mark per completed backup, and lists the backups newest first', async () => {
    const { api } = render();
    const bar = await screen.findByRole('img', { name: /^Recovery window from/ });
    expect(bar).toHaveAccessibleName(`Recovery window from ${localTime(window.earliest)} to ${localTime(window.latest)}, 2 backups`);
    expect(within(bar).getAllByTestId('backup-mark')).toHaveLength(2);
    expect(screen.getByText(`Earliest: ${localTime(window.earliest)}`)).toBeInTheDocument();
    expect(screen.getByText(`Latest: ${localTime(window.latest)}`)).toBeInTheDocument();
    expect(rowTexts(screen.getByRole('table', { name: 'Backups' }))).toEqual([
      `manualfailedthe object store refused the upload${localTime('2026-12-02T12:00:00.000Z')}——`,
      `scheduledcompleted${localTime('2026-12-02T03:00:00.000Z')}${localTime('2026-12-02T03:04:10.000Z')}1.5 GB`,
      `scheduledcompleted${localTime('2026-12-01T03:00:00.000Z')}${localTime('2026-12-01T03:04:10.000Z')}980 MB`,
    ]);
    expect(api.listBackups).toHaveBeenCalledWith('id-orders-db');
    expect(screen.getByRole('button', { name: 'Restore…' })).toBeEnabled();
  });

  it('backs up now, shows the backup’s progress, and reads the backups again once it has finished', async () => {
    const items = [backup({ id: 'backup-1' })];
    const api = orochiApiMock({
      listBackups: jest.fn(async () => ({ items: [...items] })),
      getRecoveryWindow: jest.fn(async () => window),
      backupCluster: jest.fn(async () => ({ cluster: clusterRecord('orders-db'), operation: operation({ id: 'op-backup' }) })),
      getOperation: jest
        .fn()
        .mockResolvedValueOnce(
          operation({ id: 'op-backup', steps: [{ name: 'Take a base backup', state: 'running', startedAt: '2026-12-03T10:00:00.000Z' }] }),
        )
        .mockImplementation(async () => {
          items.push(backup({ id: 'backup-2', kind: 'manual', startedAt: '2026-12-03T10:00:00.000Z', finishedAt: '2026-12-03T10:01:00.000Z', sizeBytes: 2_000_000 }));
          return operation({
            id: 'op-backup',
            state: 'succeeded',
            steps: [{ name: 'Take a base backup', state: 'succeeded', startedAt: '2026-12-03T10:00:00.000Z', finishedAt: '2026-12-03T10:01:00.000Z' }],
          });
        }),
    });
    const { onChange } = render({ api });
    const button = await screen.findByRole('button', { name: 'Back up now' });
    await waitFor(() => expect(screen.getAllByRole('row')).toHaveLength(2));
    await userEvent.click(button);
    expect(await screen.findByText('backup running')).toBeInTheDocument();
    expect(api.backupCluster).toHaveBeenCalledWith('id-orders-db');
    expect(api.getOperation).toHaveBeenCalledWith('op-backup');
    expect(onChange).toHaveBeenCalled();
    expect(screen.getByText(/◐ Take a base backup/)).toBeInTheDocument();
    // While it runs, a second one is not offered.
    expect(screen.getByRole('button', { name: 'Back up now' })).toBeDisabled();
    expect(await screen.findByText('backup succeeded')).toBeInTheDocument();
    // The finished backup is listed.
    await waitFor(() => expect(screen.getAllByRole('row')).toHaveLength(3));
    expect(screen.getAllByRole('row')[1]).toHaveTextContent(/^manualcompleted.*2\.0 MB$/);
    await waitFor(() => expect(screen.getByRole('button', { name: 'Back up now' })).toBeEnabled());
  });

  it('does not back up without the update permission', async () => {
    render({ update: denied });
    expect(await screen.findByText('You may not back up this cluster; ask its owners.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Back up now' })).toBeDisabled();
  });

  it('does not back up a cluster that is not ready, and cannot restore without a completed backup', async () => {
    const api = orochiApiMock();
    render({ api, cluster: clusterRecord('orders-db', { status: 'hibernated', hibernated: true }) });
    expect(await screen.findByText('No recovery window yet: it opens with the first completed backup.')).toBeInTheDocument();
    expect(screen.getByText('No backups yet.')).toBeInTheDocument();
    expect(screen.getByText('Only a ready cluster can be backed up; this one is hibernated.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Back up now' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Restore…' })).toBeDisabled();
  });

  it('opens the restore dialog with the window', async () => {
    render();
    await userEvent.click(await screen.findByRole('button', { name: 'Restore…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Restore cluster' });
    expect(within(dialog).getByText(`Recovery window: ${localTime(window.earliest)} to ${localTime(window.latest)} (your time zone).`)).toBeInTheDocument();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
  });
});
