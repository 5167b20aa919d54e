import { Entity } from '@backstage/catalog-model';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { catalogApiRef, useEntity } from '@backstage/plugin-catalog-react';
import { Card, CardBody, CardHeader, Flex, Link, Text } from '@backstage/ui';
import { Cluster, CLUSTER_ID_ANNOTATION, OROCHI_CLUSTER_ENTITY_TYPE } from '@orochi/backstage-plugin-orochi-common';
import { useEffect, useState } from 'react';
import { orochiApiRef } from '../../api';
import { describeApiError } from '@orochi/backstage-plugin-orochi-common';
import { clusterRouteRef } from '../../routes';
import { StatusBadge } from '../StatusBadge';

export const isOrochiCluster = (entity: Entity) =>
  entity.kind.toLocaleLowerCase('en-US') === 'resource' && entity.spec?.type === OROCHI_CLUSTER_ENTITY_TYPE;

/** Entities the card belongs on: a cluster's resource, and components that depend on resources. */
export const showsClustersCard = (entity: Entity) =>
  isOrochiCluster(entity) ||
  (entity.kind.toLocaleLowerCase('en-US') === 'component' &&
    (entity.relations ?? []).some(r => r.type === 'dependsOn' && r.targetRef.startsWith('resource:')));

/** The Orochi cluster ids behind an entity: its own, or those of the clusters a component depends on. */
function useClusterIds(entity: Entity): { ids?: string[]; error?: string } {
  const catalog = useApi(catalogApiRef);
  const [state, setState] = useState<{ ids?: string[]; error?: string }>({});
  useEffect(() => {
    if (isOrochiCluster(entity)) {
      setState({ ids: [entity.metadata.annotations?.[CLUSTER_ID_ANNOTATION]].filter((id): id is string => !!id) });
      return;
    }
    const refs = (entity.relations ?? []).filter(r => r.type === 'dependsOn' && r.targetRef.startsWith('resource:')).map(r => r.targetRef);
    catalog.getEntitiesByRefs({ entityRefs: refs }).then(
      ({ items }) =>
        setState({
          ids: items
            .filter((e): e is Entity => !!e && isOrochiCluster(e))
            .map(e => e.metadata.annotations?.[CLUSTER_ID_ANNOTATION])
            .filter((id): id is string => !!id),
        }),
      error => setState({ error: describeApiError(error) }),
    );
  }, [catalog, entity]);
  return state;
}

/** Overview card: each Orochi cluster of the entity with its status, size and where to connect. */
export const EntityClustersCard = () => {
  const { entity } = useEntity();
  const orochi = useApi(orochiApiRef);
  const clusterLink = useRouteRef(clusterRouteRef);
  const { ids, error: idsError } = useClusterIds(entity);
  const [clusters, setClusters] = useState<Cluster[]>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    if (!ids) return;
    Promise.all(ids.map(id => orochi.getCluster(id))).then(setClusters, e => setError(describeApiError(e)));
  }, [orochi, ids]);

  return (
    <Card>
      <CardHeader>
        <Text variant="title-x-small" as="h3">
          {isOrochiCluster(entity) ? 'Orochi database' : 'Orochi databases'}
        </Text>
      </CardHeader>
      <CardBody>
        {(idsError || error) && <Text color="danger">{idsError ?? error}</Text>}
        {clusters?.length === 0 && <Text color="secondary">No Orochi database among this entity’s dependencies.</Text>}
        <Flex direction="column" gap="2">
          {clusters?.map(c => {
            const primary = c.endpoints.find(e => e.role === 'primary');
            return (
              <Flex key={c.id} direction="column" gap="1">
                <Text>
                  <Link href={clusterLink?.({ clusterId: c.id }) ?? '#'}>{c.name}</Link> · <StatusBadge status={c.status} />
                </Text>
                <Text color="secondary">
                  PostgreSQL {c.version} · {c.size} · {c.readyInstances}/{c.instances} instances · {c.plan} plan
                  {primary ? ` · ${primary.host}:${primary.port}` : ''}
                </Text>
              </Flex>
            );
          })}
        </Flex>
      </CardBody>
    </Card>
  );
};
