import { Entity, RELATION_DEPENDS_ON, stringifyEntityRef } from '@backstage/catalog-model';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { catalogApiRef, getEntityRelations, useEntity } from '@backstage/plugin-catalog-react';
import { Card, CardBody, CardHeader, Flex, Link, Text } from '@backstage/ui';
import { CLUSTER_ID_ANNOTATION, OROCHI_CLUSTER_ENTITY_TYPE } from '@orochi/backstage-plugin-orochi-common';
import { useId } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { orochiApiRef } from '../../api';
import { describeApiError } from '@orochi/backstage-plugin-orochi-common';
import { clusterRouteRef } from '../../routes';
import { StatusBadge } from '../StatusBadge';

export const isOrochiCluster = (entity: Entity) =>
  entity.kind.toLocaleLowerCase('en-US') === 'resource' && entity.spec?.type === OROCHI_CLUSTER_ENTITY_TYPE;

/** The resources an entity depends on, from its catalog relations. */
const resourceDependencies = (entity: Entity) =>
  getEntityRelations(entity, RELATION_DEPENDS_ON, { kind: 'resource' }).map(ref => stringifyEntityRef(ref));

/** Entities the card belongs on: a cluster's resource, and components that depend on resources. */
export const showsClustersCard = (entity: Entity) =>
  isOrochiCluster(entity) ||
  (entity.kind.toLocaleLowerCase('en-US') === 'component' && resourceDependencies(entity).length > 0);

/** The Orochi clusters behind an entity: itself, or the clusters a component depends on. */
function useEntityClusters(entity: Entity) {
  const catalog = useApi(catalogApiRef);
  const orochi = useApi(orochiApiRef);
  return useAsync(async () => {
    const ids = isOrochiCluster(entity)
      ? [entity.metadata.annotations?.[CLUSTER_ID_ANNOTATION]]
      : (await catalog.getEntitiesByRefs({ entityRefs: resourceDependencies(entity) })).items
          .filter((e): e is Entity => !!e && isOrochiCluster(e))
          .map(e => e.metadata.annotations?.[CLUSTER_ID_ANNOTATION]);
    return Promise.all(ids.filter((id): id is string => !!id).map(id => orochi.getCluster(id)));
  }, [catalog, orochi, entity]);
}

/** Overview card: each Orochi cluster of the entity with its status, size and where to connect. */
export const EntityClustersCard = () => {
  const { entity } = useEntity();
  const clusterLink = useRouteRef(clusterRouteRef);
  const { value: clusters, error } = useEntityClusters(entity);

  const headingId = useId();
  return (
    <Card role="region" aria-labelledby={headingId}>
      <CardHeader>
        <Text variant="title-x-small" as="h3" id={headingId}>
          {isOrochiCluster(entity) ? 'Orochi database' : 'Orochi databases'}
        </Text>
      </CardHeader>
      <CardBody>
        {error && <Text color="danger">{describeApiError(error)}</Text>}
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
