import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { Card, CardBody, CardHeader, Flex, Text } from '@backstage/ui';
import { Cluster, Operation } from '@orochi/backstage-plugin-orochi-common';
import { OperationProgress } from '../OperationProgress';
import { StatusBadge } from '../StatusBadge';

/** Status, conditions, the operation in progress, and the recent ones. */
export const StatusCard = ({ cluster, operations }: { cluster: Cluster; operations: Operation[] }) => {
  const current = operations.find(o => o.id === cluster.currentOperationId);
  const recent = operations.filter(o => o.id !== cluster.currentOperationId).slice(0, 5);
  return (
    <Card>
      <CardHeader>
        <Text variant="title-small" as="h2">
          {cluster.name}
        </Text>
      </CardHeader>
      <CardBody>
        <Flex direction="column" gap="3">
          <Text>
            PostgreSQL {cluster.version} · {cluster.size} · {cluster.plan} plan · {cluster.region} · owned by{' '}
            <EntityRefLink entityRef={cluster.owner} defaultKind="group" hideIcon disableTooltip />
          </Text>
          <Text>
            <StatusBadge status={cluster.status} /> · {cluster.readyInstances} of {cluster.instances} instances ready
            {cluster.statusMessage ? ` · ${cluster.statusMessage}` : ''}
          </Text>
          {cluster.conditions.map(c => (
            <Text key={c.type} color="secondary">
              {c.type}: {c.status} ({c.reason}){c.message ? ` — ${c.message}` : ''}
            </Text>
          ))}
          {current && <OperationProgress operation={current} />}
          {recent.length > 0 && (
            <Flex direction="column" gap="1">
              <Text weight="bold">Recent operations</Text>
              {recent.map(o => (
                <Text key={o.id} color={o.state === 'failed' ? 'danger' : 'secondary'}>
                  {new Date(o.createdAt).toLocaleString()} · {o.type} {o.state} · {o.requestedBy}
                  {o.error ? ` — ${o.error}` : ''}
                </Text>
              ))}
            </Flex>
          )}
        </Flex>
      </CardBody>
    </Card>
  );
};
