import { PermissionCriteria } from '@backstage/plugin-permission-common';
import { isAndCriteria, isNotCriteria, isOrCriteria } from '@backstage/plugin-permission-node';
import { ClusterFilter } from '@orochi/backstage-plugin-orochi-node';
import { Knex } from 'knex';

/** Turns the permission framework's criteria (from IS_CLUSTER_OWNER) into a WHERE clause. */
export function applyPermissionFilter(builder: Knex.QueryBuilder, criteria: PermissionCriteria<ClusterFilter>): void {
  if (isAndCriteria(criteria)) {
    criteria.allOf.forEach(c => builder.andWhere(b => applyPermissionFilter(b, c)));
  } else if (isOrCriteria(criteria)) {
    builder.andWhere(b => {
      criteria.anyOf.forEach(c => b.orWhere(inner => applyPermissionFilter(inner, c)));
    });
  } else if (isNotCriteria(criteria)) {
    builder.whereNot(b => applyPermissionFilter(b, criteria.not));
  } else if (criteria.values.length === 0) {
    builder.whereRaw('1 = 0');
  } else {
    builder.whereIn(criteria.key, criteria.values);
  }
}
