import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { Link, Text } from '@backstage/ui';
import { Cluster, describeApiError, USAGE_METERS } from '@orochi/backstage-plugin-orochi-common';
import useAsync from 'react-use/esm/useAsync';
import { orochiApiRef } from '../../api';
import { billingRouteRef } from '../../routes';
import { TitledCard } from '../ClusterView/TitledCard';
import { meterText, usageCostUsd, usd } from './format';
import { useOffering } from '../../hooks/useOffering';

/** The cluster's usage this month per meter and what it costs, billed on its team's plan. */
export const ClusterUsageCard = ({ cluster }: { cluster: Cluster }) => {
  const orochi = useApi(orochiApiRef);
  const billing = useRouteRef(billingRouteRef);
  const { value, error } = useAsync(() => orochi.getClusterUsage(cluster.id, { granularity: 'month' }), [orochi, cluster.id]);
  const usage = value?.periods.at(-1)?.usage ?? {};
  const { offering } = useOffering();
  const plan = offering?.plans.find(p => p.name === cluster.plan);
  const cost = usageCostUsd(plan, usage);
  return (
    <TitledCard title="Usage this month">
      {error ? (
        <Text color="danger">Usage could not be loaded: {describeApiError(error)}</Text>
      ) : (
        <ul aria-label="Cluster usage" style={{ margin: 0, paddingLeft: '1.2rem' }}>
          {USAGE_METERS.map(meter => (
            <li key={meter}>
              <Text>{meterText(meter, usage[meter])}</Text>
            </li>
          ))}
        </ul>
      )}
      <Text color="secondary">
        {cost !== undefined && `${usd(cost)} at the ${plan!.title} plan’s prices, before the team’s included allowance. `}
        Billed on the team’s {cluster.plan} plan.{' '}
        {billing && <Link href={`${billing()}?group=${encodeURIComponent(cluster.owner)}`}>The team’s billing</Link>}
      </Text>
    </TitledCard>
  );
};
