import { Entity, RELATION_DEPENDS_ON, stringifyEntityRef } from '@backstage/catalog-model';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { catalogApiRef, getEntityRelations, useEntity } from '@backstage/plugin-catalog-react';
import { Card, CardBody, CardHeader, Flex, Link, Text } from '@backstage/ui';
import { Cluster, CLUSTER_ID_ANNOTATION, OROCHI_CLUSTER_ENTITY_TYPE } from '@orochi/backstage-plugin-orochi-common';
import { useEffect, useId, useState } from 'react';
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

/** The Orochi cluster ids behind an entity: its own, or those of the clusters a component depends on. */
function useClusterIds(entity: Entity): { ids?: string[]; error?: string } {
  const catalog = useApi(catalogApiRef);
  const [state, setState] = useState<{ ids?: string[]; error?: string }>({});
  useEffect(() => {
    if (isOrochiCluster(entity)) {
      setState({ ids: [entity.metadata.annotations?.[CLUSTER_ID_ANNOTATION]].filter((id): id is string => !!id) });
      return undefined;
    }
    // An answer that arrives after the card is gone (or shows another entity) is dropped.
    let cancelled = false;
    catalog.getEntitiesByRefs({ entityRefs: resourceDependencies(entity) }).then(
      ({ items }) =>
        !cancelled &&
        setState({
          ids: items
            .filter((e): e is Entity => !!e && isOrochiCluster(e))
            .map(e => e.metadata.annotations?.[CLUSTER_ID_ANNOTATION])
            .filter((id): id is string => !!id),
        }),
      error => !cancelled && setState({ error: describeApiError(error) }),
    );
    return () => {
      cancelled = true;
    };
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
    if (!ids) return undefined;
    let cancelled = false;
    Promise.all(ids.map(id => orochi.getCluster(id))).then(
      found => !cancelled && setClusters(found),
      e => !cancelled && setError(describeApiError(e)),
    );
    return () => {
      cancelled = true;
    };
  }, [orochi, ids]);

  const headingId = useId();
  return (
    <Card role="region" aria-labelledby={headingId}>
      <CardHeader>
        <Text variant="title-x-small" as="h3" id={headingId}>
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
