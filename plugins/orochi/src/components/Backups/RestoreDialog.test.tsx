import { renderInTestApp } from '@backstage/frontend-test-utils';
import { clusterRecord } from '@orochi/backstage-plugin-orochi-common/testUtils';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { orochiApiRef } from '../../api';
import { databasesRouteRef } from '../../routes';
import { apiError, backup, change, operation } from '../../__testUtils__/backupFixtures';
import { orochiApiMock } from '../../__testUtils__/orochiApiMock';
import { localTime, toLocalInput } from './format';
import { RestoreDialog } from './RestoreDialog';

const window = { earliest: '2026-12-01T03:04:10.250Z', latest: '2026-12-03T09:59:58.750Z' };
const backups = [
  backup({ id: 'backup-0', startedAt: '2026-12-01T03:00:00.000Z', recoverableFrom: window.earliest, sizeBytes: 980_000_000 }),
  backup({ id: 'backup-1', kind: 'manual' }),
  backup({ id: 'backup-x', state: 'running', startedAt: '2026-12-03T09:00:00.000Z', finishedAt: undefined, recoverableFrom: undefined }),
];

function render(api: ReturnType<typeof orochiApiMock>, onClose = jest.fn()) {
  renderInTestApp(<RestoreDialog cluster={clusterRecord('orders-db')} window={window} backups={backups} onClose={onClose} />, {
    apis: [[orochiApiRef, api]],
    mountedRoutes: { '/orochi': databasesRouteRef },
  });
  return screen.findByRole('dialog', { name: 'Restore cluster' });
}

async function rename(dialog: HTMLElement, name: string) {
  const field = within(dialog).getByRole('textbox', { name: 'New cluster name' });
  await userEvent.clear(field);
  await userEvent.type(field, name);
}

describe('RestoreDialog', () => {
  it('restores to a moment of the window, sent as ISO, follows the restore, and links to the new cluster', async () => {
    const api = orochiApiMock({
      restoreCluster: jest.fn(async () => change('orders-db-pitr', { id: 'op-restore', type: 'restore', state: 'pending' })),
      getOperation: jest
        .fn()
        .mockResolvedValueOnce(operation({ id: 'op-restore', type: 'restore', clusterName: 'orders-db-pitr', state: 'running', steps: [{ name: 'Restore the data', state: 'running' }] }))
        .mockResolvedValue(operation({ id: 'op-restore', type: 'restore', clusterName: 'orders-db-pitr', state: 'succeeded', steps: [{ name: 'Restore the data', state: 'succeeded' }] })),
    });
    const dialog = await render(api);
    expect(within(dialog).getByText(/orders-db keeps running and is not changed; restoring in place is not offered yet/)).toBeInTheDocument();
    expect(within(dialog).getByText(`Recovery window: ${localTime(window.earliest)} to ${localTime(window.latest)} (your time zone).`)).toBeInTheDocument();
    // The field is bounded by the window, rounded inwards to whole seconds, in local time.
    const time = within(dialog).getByLabelText('Restore to');
    expect(time).toHaveAttribute('type', 'datetime-local');
    expect(time).toHaveAttribute('min', toLocalInput('2026-12-01T03:04:11.000Z'));
    expect(time).toHaveAttribute('max', toLocalInput('2026-12-03T09:59:58.000Z'));
    // It starts at the latest moment (jsdom normalizes the value to milliseconds; browsers keep seconds).
    expect((time as HTMLInputElement).value).toMatch(new RegExp(`^${toLocalInput(window.latest)}(\\.000)?$`));
    fireEvent.change(time, { target: { value: '2026-12-02T08:15:30' } });
    await rename(dialog, 'orders-db-pitr');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Restore' }));
    expect(await within(dialog).findByText('restore running')).toBeInTheDocument();
    // The user's 08:15:30 local time, as the moment it is in UTC.
    expect(api.restoreCluster).toHaveBeenCalledWith('id-orders-db', {
      name: 'orders-db-pitr',
      targetTime: new Date(2026, 11, 2, 8, 15, 30).toISOString(),
    });
    expect(api.getOperation).toHaveBeenCalledWith('op-restore');
    const link = await within(dialog).findByRole('link', { name: 'Open orders-db-pitr' });
    expect(link).toHaveAttribute('href', '/orochi/clusters/id-orders-db-pitr');
    expect(within(dialog).getByText('restore succeeded')).toBeInTheDocument();
    expect(within(dialog).queryByRole('button', { name: 'Restore' })).not.toBeInTheDocument();
  });

  it('restores a completed backup', async () => {
    const api = orochiApiMock({
      restoreCluster: jest.fn(async () => change('orders-db-restored', { id: 'op-restore', type: 'restore' })),
      getOperation: jest.fn(async () => operation({ id: 'op-restore', type: 'restore', state: 'succeeded' })),
    });
    const dialog = await render(api);
    await userEvent.click(within(dialog).getByRole('radio', { name: 'Backup' }));
    const choices = within(within(dialog).getByRole('radiogroup', { name: 'Backup' })).getAllByRole('radio');
    // Only completed backups, newest first; the newest is chosen.
    expect(choices.map(c => c.closest('label')?.textContent)).toEqual([
      `${localTime('2026-12-02T03:04:10.000Z')} · manual · 1.5 GB`,
      `${localTime(window.earliest)} · scheduled · 980 MB`,
    ]);
    expect(choices[0]).toBeChecked();
    await userEvent.click(choices[1]);
    expect(within(dialog).queryByLabelText('Restore to')).not.toBeInTheDocument();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Restore' }));
    expect(await within(dialog).findByRole('link', { name: 'Open orders-db-restored' })).toHaveAttribute('href', '/orochi/clusters/id-orders-db-restored');
    expect(api.restoreCluster).toHaveBeenCalledWith('id-orders-db', { name: 'orders-db-restored', backupId: 'backup-0' });
  });

  it('shows why the backend refused a restore', async () => {
    const message = `targetTime: must be inside the recovery window, from ${window.earliest} to ${window.latest}`;
    const api = orochiApiMock({ restoreCluster: jest.fn().mockRejectedValue(apiError('400 Bad Request', 'InputError', message)) });
    const dialog = await render(api);
    await userEvent.click(within(dialog).getByRole('radio', { name: 'Latest' }));
    await userEvent.click(within(dialog).getByRole('button', { name: 'Restore' }));
    expect(await within(dialog).findByText(message)).toBeInTheDocument();
    expect(within(dialog).getByText('The restore was refused')).toBeInTheDocument();
    // The latest state: neither a time nor a backup.
    expect(api.restoreCluster).toHaveBeenCalledWith('id-orders-db', { name: 'orders-db-restored' });
    // The form stays, to correct and try again.
    expect(within(dialog).getByRole('button', { name: 'Restore' })).toBeEnabled();
  });

  it('checks the name as cluster names are checked, and the moment against the window', async () => {
    const api = orochiApiMock();
    const dialog = await render(api);
    await rename(dialog, 'Orders_DB');
    expect(
      await within(dialog).findByText('Name must be lowercase letters, digits and "-", start with a letter and end with a letter or digit.'),
    ).toBeInTheDocument();
    expect(within(dialog).getByRole('button', { name: 'Restore' })).toBeDisabled();
    await rename(dialog, 'orders-db-copy');
    await waitFor(() => expect(within(dialog).getByRole('button', { name: 'Restore' })).toBeEnabled());
    fireEvent.change(within(dialog).getByLabelText('Restore to'), { target: { value: '2026-11-30T12:00' } });
    expect(
      await within(dialog).findByText(`Choose a moment between ${localTime(window.earliest)} and ${localTime(window.latest)}.`),
    ).toBeInTheDocument();
    expect(within(dialog).getByRole('button', { name: 'Restore' })).toBeDisabled();
    expect(api.restoreCluster).not.toHaveBeenCalled();
  });
});
