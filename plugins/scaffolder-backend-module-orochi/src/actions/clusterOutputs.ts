import { ActionContext } from '@backstage/plugin-scaffolder-node';
import { Cluster, clusterEntityRef } from '@orochi/backstage-plugin-orochi-common';
import { clusterPageUrl } from './orochiApi';

/**
 * The outputs every creating action gives: the cluster, its entity and where to connect. Never the password:
 * the cluster's page (credentialsUrl) reveals it to those allowed.
 */
export function outputCluster(ctx: ActionContext<any, any>, cluster: Cluster, appBaseUrl: string) {
  const primary = cluster.endpoints.find(e => e.role === 'primary');
  ctx.output('clusterId', cluster.id);
  ctx.output('entityRef', clusterEntityRef(cluster.name));
  if (primary) {
    ctx.output('host', primary.host);
    ctx.output('port', primary.port);
  }
  ctx.output('database', cluster.database);
  ctx.output('user', cluster.user);
  ctx.output('credentialsUrl', clusterPageUrl(appBaseUrl, cluster.id));
}
