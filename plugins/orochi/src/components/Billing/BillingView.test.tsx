import { renderInTestApp } from '@backstage/frontend-test-utils';
import { BillingSummary, DEFAULT_PLANS } from '@orochi/backstage-plugin-orochi-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { orochiApiRef } from '../../api';
import { orochiApiMock } from '../../__testUtils__/orochiApiMock';
import { BillingView } from './BillingView';
import { openExternalPage } from './openExternalPage';

const GROUP = 'group:default/team-payments';

function summary(overrides: Partial<BillingSummary['account']> = {}): BillingSummary {
  return {
    account: { group: GROUP, plan: 'free', hasCustomer: true, createdAt: '2026-12-01T00:00:00Z', updatedAt: '2026-12-01T00:00:00Z', ...overrides },
    plan: DEFAULT_PLANS[0],
    usage: { compute_unit_seconds: 9 * 3600, storage_bytes_hour: 2e9 * 24 },
    invoice: {
      periodStart: '2026-12-01T00:00:00.000Z',
      periodEnd: '2027-01-01T00:00:00.000Z',
      baseUsd: 0,
      compute: { cuHours: 9, projectedCuHours: 40, includedCuHours: 10, overageUsd: 0, projectedOverageUsd: 0 },
      storage: { gbMonths: 0.065, projectedGbMonths: 0.5, includedGbMonths: 1, overageUsd: 0, projectedOverageUsd: 0 },
      totalUsd: 0,
      projectedTotalUsd: 0,
    },
    billingProvider: 'configured',
  };
}

function api(billing: BillingSummary) {
  return orochiApiMock({
    getBilling: jest.fn(async () => billing),
    getAccountUsage: jest.fn(async () => ({
      granularity: 'day',
      periods: [
        { start: '2026-12-01T00:00:00.000Z', end: '2026-12-02T00:00:00.000Z', usage: { compute_unit_seconds: 3 * 3600 } },
        { start: '2026-12-02T00:00:00.000Z', end: '2026-12-03T00:00:00.000Z', usage: { compute_unit_seconds: 6 * 3600 } },
      ],
    })),
    getAccountClusterUsage: jest.fn(async () => ({
      items: [
        { clusterId: 'id-orders-db', clusterName: 'orders-db', usage: { compute_unit_seconds: 9 * 3600 } },
        { clusterId: 'gone', usage: { compute_unit_seconds: 0 } },
      ],
    })),
    createCheckout: jest.fn(async () => ({ url: 'https://checkout.example/c/pay/cs_1' })),
    updateBillingAccount: jest.fn(async () => billing.account),
  });
}

jest.mock('./openExternalPage', () => ({ openExternalPage: jest.fn() }));

describe('BillingView', () => {
  const assign = jest.mocked(openExternalPage);

  it('shows the plan, usage per meter and per cluster, and the projected invoice', async () => {
    renderInTestApp(<BillingView group={GROUP} />, { apis: [[orochiApiRef, api(summary())]] });
    expect(await screen.findByTestId('billing-plan')).toHaveTextContent('Free · $0.00 a month');
    const meters = within(screen.getByRole('list', { name: 'Usage per meter' })).getAllByRole('listitem');
    expect(meters.map(m => m.textContent)).toEqual(['9.00 CU-hours', '48.0 GB-hours', '0.00 branch-hours', '0.00 GB-hours']);
    const rows = within(screen.getByRole('table', { name: 'Usage per cluster' })).getAllByRole('row');
    expect(rows.map(r => r.textContent)).toEqual(['ClusterComputeStorage', 'orders-db9.00 CU-hours0.00 GB-hours', 'gone (deleted)0.00 CU-hours0.00 GB-hours']);
    expect(screen.getByTestId('invoice-projected')).toHaveTextContent('$0.00 by 2027-01-01, at the current rate');
    expect(screen.getByText(/9\.00 CU-hours of 10 CU-hours included/)).toBeInTheDocument();
  });

  it('follows Upgrade to the billing provider’s checkout page for the chosen plan', async () => {
    const orochi = api(summary());
    renderInTestApp(<BillingView group={GROUP} />, { apis: [[orochiApiRef, orochi]] });
    await userEvent.click(await screen.findByRole('button', { name: /^Upgrade$/ }));
    await waitFor(() => expect(assign).toHaveBeenCalledWith('https://checkout.example/c/pay/cs_1'));
    expect(orochi.createCheckout).toHaveBeenCalledWith(GROUP, 'pro');
  });

  it('says why the clusters are suspended, and saves a budget with its hard stop', async () => {
    const orochi = api(summary({ suspension: { reason: 'compute-hours', since: '2026-12-03T10:00:00Z' } }));
    renderInTestApp(<BillingView group={GROUP} />, { apis: [[orochiApiRef, orochi]] });
    expect(await screen.findByText(/Free compute hours for this month are used up/)).toBeInTheDocument();
    await userEvent.type(screen.getByRole('textbox', { name: 'Monthly budget (USD)' }), '50');
    await userEvent.click(screen.getByRole('switch', { name: 'Hard stop at 100 %' }));
    await userEvent.click(screen.getByRole('button', { name: 'Save budget' }));
    await waitFor(() => expect(orochi.updateBillingAccount).toHaveBeenCalledWith(GROUP, { budget: { monthlyUsd: 50, hardStop: true } }));
  });
});
