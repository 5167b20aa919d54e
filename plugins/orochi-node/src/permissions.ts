import {
  Cluster,
  OROCHI_CLUSTER_RESOURCE_TYPE,
} from '@orochi/backstage-plugin-orochi-common';
import {
  createConditionExports,
  createPermissionResourceRef,
  createPermissionRule,
} from '@backstage/plugin-permission-node';
import { z } from 'zod';

/** The part of a cluster permission rules look at; also what a cluster that does not exist yet offers. */
export type ClusterPermissionResource = Pick<Cluster, 'owner'>;

/** Permission rules become this filter, which the store turns into SQL. */
export type ClusterFilter = { key: 'owner'; values: string[] };

/** @public */
export const clusterPermissionResourceRef = createPermissionResourceRef<
  ClusterPermissionResource,
  ClusterFilter
>().with({
  pluginId: 'orochi',
  resourceType: OROCHI_CLUSTER_RESOURCE_TYPE,
});

/** Matches clusters owned by any of the given entity refs, typically the caller's ownership refs. */
export const isClusterOwner = createPermissionRule({
  name: 'IS_CLUSTER_OWNER',
  description: 'Allow clusters owned by any of the given entity refs',
  resourceRef: clusterPermissionResourceRef,
  paramsSchema: z.object({
    claims: z
      .array(z.string())
      .describe('Entity refs, such as the caller’s ownership entity refs'),
  }),
  apply: (cluster, { claims }) => claims.includes(cluster.owner),
  toQuery: ({ claims }) => ({ key: 'owner', values: claims }),
});

export const clusterPermissionRules = { isClusterOwner };

const { conditions, createConditionalDecision } = createConditionExports({
  resourceRef: clusterPermissionResourceRef,
  rules: clusterPermissionRules,
});

/** For policies: `clusterConditions.isClusterOwner({ claims })`. */
export const clusterConditions = conditions;

/** For policies: a conditional decision on a cluster permission. */
export const createClusterConditionalDecision = createConditionalDecision;
