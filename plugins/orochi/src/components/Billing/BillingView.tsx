import { useApi } from '@backstage/frontend-plugin-api';
import { Alert, Button, Flex, Select, Skeleton, Text } from '@backstage/ui';
import {
  billingSuspensionMessage,
  BillingSummary,
  describeApiError,
  Offering,
  USAGE_METERS,
} from '@orochi/backstage-plugin-orochi-common';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { orochiApiRef } from '../../api';
import { useOffering } from '../../hooks/useOffering';
import { TitledCard } from '../ClusterView/TitledCard';
import { BudgetForm } from './BudgetForm';
import { meterText, usd } from './format';
import { openExternalPage } from './openExternalPage';
import { UsageChart } from './UsageChart';


const PlanCard = ({ summary, offering, group, onError }: { summary: BillingSummary; offering?: Offering; group: string; onError(message: string): void }) => {
  const orochi = useApi(orochiApiRef);
  const { plan, account, billingProvider } = summary;
  const upgrades = (offering?.plans ?? []).filter(p => p.name !== plan.name && p.monthlyPriceUsd !== undefined && p.monthlyPriceUsd > (plan.monthlyPriceUsd ?? 0));
  const [target, setTarget] = useState(upgrades[0]?.name);
  const [checkout, startCheckout] = useAsyncFn(async () => {
    try {
      openExternalPage((await orochi.createCheckout(group, target!)).url);
    } catch (error) {
      onError(describeApiError(error));
    }
  }, [orochi, group, target]);
  const [portal, openPortal] = useAsyncFn(async () => {
    try {
      openExternalPage((await orochi.createBillingPortal(group)).url);
    } catch (error) {
      onError(describeApiError(error));
    }
  }, [orochi, group]);
  return (
    <TitledCard title="Plan">
      <Flex direction="column" gap="2">
        <Text data-testid="billing-plan">
          {plan.title}
          {plan.monthlyPriceUsd !== undefined ? ` · ${usd(plan.monthlyPriceUsd)} a month` : ' · priced by contract'}
          {account.subscription ? ` · subscription ${account.subscription.status}` : ''}
        </Text>
        <Text color="secondary">
          {plan.limits.computeHours !== undefined ? `${plan.limits.computeHours} compute hours included` : 'Compute without limit'}
          {plan.limits.maxStorageGb !== undefined ? ` · ${plan.limits.maxStorageGb} GB of storage` : ''}
          {plan.limits.maxClusters !== undefined ? ` · at most ${plan.limits.maxClusters} cluster(s)` : ''}
          {plan.overage ? ` · then ${usd(plan.overage.computeHourUsd)} per CU-hour and ${usd(plan.overage.storageGbUsd)} per GB-month` : ''}
        </Text>
        {billingProvider === 'none' ? (
          <Text color="secondary">Payments are not set up in this portal: a platform admin sets each team’s plan.</Text>
        ) : (
          <Flex gap="2" align="end">
            {upgrades.length > 0 && (
              <>
                <Select
                  label="Upgrade to"
                  options={upgrades.map(p => ({ id: p.name, label: `${p.title} (${usd(p.monthlyPriceUsd!)}/month)` }))}
                  selectedKey={target}
                  onSelectionChange={key => setTarget(String(key))}
                />
                <Button onPress={startCheckout} isDisabled={!target || checkout.loading}>
                  Upgrade
                </Button>
              </>
            )}
            {account.hasCustomer && (
              <Button variant="secondary" onPress={openPortal} isDisabled={portal.loading}>
                Manage billing
              </Button>
            )}
          </Flex>
        )}
      </Flex>
    </TitledCard>
  );
};

const InvoiceCard = ({ summary }: { summary: BillingSummary }) => {
  const { invoice } = summary;
  const included = (value: number | undefined, unit: string) => (value === undefined ? '' : ` of ${value} ${unit} included`);
  return (
    <TitledCard title="This month’s invoice">
      <dl style={{ display: 'grid', gridTemplateColumns: 'max-content auto', gap: '0.25rem 1rem', margin: 0 }} aria-label="Invoice">
        <dt>Base price</dt>
        <dd>{usd(invoice.baseUsd)}</dd>
        <dt>Compute</dt>
        <dd>
          {invoice.compute.cuHours.toFixed(2)} CU-hours{included(invoice.compute.includedCuHours, 'CU-hours')} · overage{' '}
          {usd(invoice.compute.overageUsd)}
        </dd>
        <dt>Storage</dt>
        <dd>
          {invoice.storage.gbMonths.toFixed(3)} GB-months{included(invoice.storage.includedGbMonths, 'GB-months')} · overage{' '}
          {usd(invoice.storage.overageUsd)}
        </dd>
        <dt>So far</dt>
        <dd data-testid="invoice-total">{usd(invoice.totalUsd)}</dd>
        <dt>Projected</dt>
        <dd data-testid="invoice-projected">
          {usd(invoice.projectedTotalUsd)} by {invoice.periodEnd.slice(0, 10)}, at the current rate
        </dd>
      </dl>
    </TitledCard>
  );
};

/**
 * A team's billing: its plan with Upgrade and Manage billing, this month's usage per meter with daily charts and
 * per cluster, the projected invoice, and the budget.
 */
export const BillingView = ({ group }: { group: string }) => {
  const orochi = useApi(orochiApiRef);
  // The plans to upgrade to come from the offering: the view waits for it, so the choices do not change under the user.
  const { offering, loading: offeringLoading } = useOffering();
  const [actionError, setActionError] = useState<string>();
  const [version, setVersion] = useState(0);
  const state = useAsync(async () => {
    const [summary, daily, clusters] = await Promise.all([
      orochi.getBilling(group),
      orochi.getAccountUsage(group, { granularity: 'day' }),
      orochi.getAccountClusterUsage(group),
    ]);
    return { summary, daily, clusters: clusters.items };
  }, [orochi, group, version]);

  if ((state.loading && !state.value) || offeringLoading) return <Skeleton width="100%" height={240} />;
  if (state.error || !state.value) {
    return <Alert status="danger" title="Billing could not be loaded" description={describeApiError(state.error)} />;
  }
  const { summary, daily, clusters } = state.value;
  return (
    <Flex direction="column" gap="4">
      {summary.account.suspension && (
        <Alert
          status="danger"
          title="The team’s clusters are suspended"
          description={`Since ${new Date(summary.account.suspension.since).toLocaleString()}: ${billingSuspensionMessage(summary.account.suspension.reason)}.`}
        />
      )}
      {summary.setupProblems && (
        <Alert status="warning" title="The billing provider’s setup is incomplete" description={summary.setupProblems.join('; ')} />
      )}
      {actionError && <Alert status="danger" title="The billing provider could not be reached" description={actionError} />}
      <PlanCard summary={summary} offering={offering} group={group} onError={setActionError} />
      <InvoiceCard summary={summary} />
      <TitledCard title="Usage this month">
        <Flex direction="column" gap="3">
          <ul aria-label="Usage per meter" style={{ margin: 0, paddingLeft: '1.2rem' }}>
            {USAGE_METERS.map(meter => (
              <li key={meter}>
                <Text>{meterText(meter, summary.usage[meter])}</Text>
              </li>
            ))}
          </ul>
          <UsageChart meter="compute_unit_seconds" periods={daily.periods} />
          <UsageChart meter="storage_bytes_hour" periods={daily.periods} />
          <table aria-label="Usage per cluster">
            <thead>
              <tr>
                <th align="left">Cluster</th>
                <th align="right">Compute</th>
                <th align="right">Storage</th>
              </tr>
            </thead>
            <tbody>
              {clusters.map(c => (
                <tr key={c.clusterId}>
                  <td>{c.clusterName ?? `${c.clusterId} (deleted)`}</td>
                  <td align="right">{meterText('compute_unit_seconds', c.usage.compute_unit_seconds)}</td>
                  <td align="right">{meterText('storage_bytes_hour', c.usage.storage_bytes_hour)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Flex>
      </TitledCard>
      <BudgetForm group={group} summary={summary} onSaved={() => setVersion(v => v + 1)} />
    </Flex>
  );
};
