import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { Alert, Button, ButtonLink, Cell, CellText, ColumnConfig, Flex, SearchField, Select, Table, Text, useTable } from '@backstage/ui';
import { parseEntityRef } from '@backstage/catalog-model';
import { EntityRefLink, humanizeEntityRef } from '@backstage/plugin-catalog-react';
import { CLUSTER_STATUSES, Cluster, ClusterStatus, ClusterUsage, Plan } from '@orochi/backstage-plugin-orochi-common';
import useAsync from 'react-use/esm/useAsync';
import { orochiApiRef } from '../../api';
import { billingRouteRef, clusterRouteRef, createClusterTemplateRouteRef } from '../../routes';
import { meterText, usageCostUsd, usd } from '../Billing/format';
import { useOffering } from '../../hooks/useOffering';
import { StatusBadge } from '../StatusBadge';

export interface ClusterFilter {
  owner?: string;
  status?: ClusterStatus;
}

const ALL = 'all';

/**
 * An entity ref as the catalog shows it: `group:default/team-payments` is `team-payments` where a group is
 * expected, `user:default/pat` is `user:pat`.
 */
const humanizeRef = (ref: string, defaultKind: string) => humanizeEntityRef(parseEntityRef(ref), { defaultKind });

/** Under a cluster's name: where a copy comes from ("branch of orders-db") and the system it belongs to. */
function nameCaption(cluster: Cluster): string | undefined {
  const origin = cluster.parent && `${cluster.parent.kind === 'branch' ? 'branch of' : 'restored from'} ${cluster.parent.clusterName}`;
  const system = cluster.system && humanizeRef(cluster.system, 'system');
  return [origin, system].filter(Boolean).join(' · ') || undefined;
}

function useOwners(): string[] {
  const orochi = useApi(orochiApiRef);
  // Owners of clusters the user may see, for the filter; one page is enough for a filter list.
  const { value } = useAsync(async () => {
    const page = await orochi.listClusters({ limit: 1000 });
    return [...new Set(page.items.map(c => c.owner))].sort();
  }, [orochi]);
  return value ?? [];
}

/** Each cluster's usage this month, from its team's billing (teams whose billing the user may not read are left out). */
function useMonthToDateUsage(owners: string[]): Map<string, ClusterUsage['usage']> {
  const orochi = useApi(orochiApiRef);
  const { value } = useAsync(async () => {
    const perTeam = await Promise.all(owners.map(owner => orochi.getAccountClusterUsage(owner).catch(() => ({ items: [] }))));
    return new Map(perTeam.flatMap(team => team.items.map(c => [c.clusterId, c.usage] as const)));
  }, [orochi, owners.join(',')]);
  return value ?? new Map();
}

/** A cluster's compute this month, and what it costs at its plan's prices. */
function monthToDate(usage: ClusterUsage['usage'] | undefined, plan: Plan | undefined): string {
  if (!usage) return '–';
  const cost = usageCostUsd(plan, usage);
  return `${meterText('compute_unit_seconds', usage.compute_unit_seconds)}${cost === undefined ? '' : ` · ${usd(cost)}`}`;
}

/** The clusters the user may see, paged by the backend, with owner and status filters and name search. */
export const ClusterList = () => {
  const orochi = useApi(orochiApiRef);
  const clusterLink = useRouteRef(clusterRouteRef);
  const templateLink = useRouteRef(createClusterTemplateRouteRef);
  const owners = useOwners();
  const usage = useMonthToDateUsage(owners);
  const { offering } = useOffering();
  const billingLink = useRouteRef(billingRouteRef);

  const { tableProps, filter, search, reload } = useTable<Cluster, ClusterFilter>({
    mode: 'offset',
    paginationOptions: { pageSize: 20, pageSizeOptions: [20, 50, 100] },
    getData: async ({ offset, pageSize, filter: current, search: text }) => {
      const page = await orochi.listClusters({
        offset,
        limit: pageSize,
        search: text || undefined,
        owner: current?.owner ? [current.owner] : undefined,
        status: current?.status ? [current.status] : undefined,
      });
      return { data: page.items, totalCount: page.totalCount };
    },
  });

  const columns: ColumnConfig<Cluster>[] = [
    {
      id: 'name',
      label: 'Name',
      isRowHeader: true,
      cell: c => <CellText title={c.name} description={nameCaption(c)} href={clusterLink?.({ clusterId: c.id })} />,
    },
    {
      id: 'status',
      label: 'Status',
      cell: c => (
        <Cell>
          <StatusBadge status={c.status} />
        </Cell>
      ),
    },
    {
      id: 'owner',
      label: 'Owner',
      cell: c => (
        <Cell>
          <EntityRefLink entityRef={c.owner} defaultKind="group" hideIcon disableTooltip />
        </Cell>
      ),
    },
    { id: 'size', label: 'Size', cell: c => <CellText title={c.size} /> },
    { id: 'plan', label: 'Plan', cell: c => <CellText title={c.plan} /> },
    { id: 'region', label: 'Region', cell: c => <CellText title={c.region} /> },
    { id: 'instances', label: 'Instances', cell: c => <CellText title={`${c.readyInstances}/${c.instances}`} /> },
    {
      id: 'usage',
      label: 'This month',
      cell: c => <CellText title={monthToDate(usage.get(c.id), offering?.plans.find(p => p.name === c.plan))} />,
    },
  ];

  const createButton = templateLink ? (
    <ButtonLink href={templateLink({ namespace: 'default', templateName: 'orochi-cluster' })} variant="primary">
      Create database
    </ButtonLink>
  ) : null;

  const filtered = Boolean(search.value || filter.value?.owner || filter.value?.status);
  return (
    <Flex direction="column" gap="4">
      <Flex align="end" gap="3">
        <SearchField aria-label="Search by name" placeholder="Search by name" value={search.value} onChange={search.onChange} />
        <Select
          label="Owner"
          options={[{ id: ALL, label: 'All owners' }, ...owners.map(o => ({ id: o, label: humanizeRef(o, 'group') }))]}
          selectedKey={filter.value?.owner ?? ALL}
          onSelectionChange={key => filter.onChange({ ...filter.value, owner: key === ALL ? undefined : String(key) })}
        />
        <Select
          label="Status"
          options={[{ id: ALL, label: 'Any status' }, ...CLUSTER_STATUSES.map(s => ({ id: s, label: s }))]}
          selectedKey={filter.value?.status ?? ALL}
          onSelectionChange={key => filter.onChange({ ...filter.value, status: key === ALL ? undefined : (key as ClusterStatus) })}
        />
        {billingLink && (
          <ButtonLink href={billingLink()} variant="secondary">
            Billing
          </ButtonLink>
        )}
        {createButton}
      </Flex>
      {tableProps.error ? (
        <Alert
          status="danger"
          title="The clusters could not be loaded"
          description={tableProps.error.message}
          customActions={<Button onPress={reload}>Try again</Button>}
        />
      ) : (
        <Table
          {...tableProps}
          columnConfig={columns}
          emptyState={
            <Flex direction="column" gap="2" py="4" align="center">
              <Text variant="title-small" as="h2">
                {filtered ? 'No databases match' : 'No databases yet'}
              </Text>
              <Text color="secondary">
                {filtered
                  ? 'Change the search or the filters to see more.'
                  : 'Create a PostgreSQL cluster for your team; it is ready in seconds.'}
              </Text>
              {!filtered && createButton}
            </Flex>
          }
        />
      )}
    </Flex>
  );
};
