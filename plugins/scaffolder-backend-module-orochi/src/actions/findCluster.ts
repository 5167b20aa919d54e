import { InputError, NotFoundError } from '@backstage/errors';
import { Cluster, OrochiApi } from '@orochi/backstage-plugin-orochi-common';
import { explained } from './orochiApi';

const PAGE_SIZE = 100;
/** How many similar names a "not found" names. */
const SUGGESTIONS = 5;

/**
 * The cluster name a template gives: a bare name (`orders-db`), or the cluster's catalog entity as an
 * EntityPicker answers it (`resource:default/orders-db`, or `default/orders-db`).
 */
export function clusterNameOf(reference: string, field: string): string {
  const match = /^(?:([^:/]+):)?(?:([^:/]+)\/)?([^:/]+)$/.exec(reference.trim());
  if (!match) {
    throw new InputError(`${field}: "${reference}" is neither a cluster name nor an entity ref like resource:default/orders-db`);
  }
  const [, kind, namespace, name] = match;
  if (kind && kind.toLowerCase() !== 'resource') {
    throw new InputError(`${field}: ${reference} is a ${kind} entity; an Orochi cluster's entity is a Resource`);
  }
  if (namespace && namespace.toLowerCase() !== 'default') {
    throw new InputError(`${field}: ${reference} is in namespace ${namespace}; Orochi clusters' entities are in the default namespace`);
  }
  return name;
}

/**
 * The one cluster the caller may read that is named as `reference` says (exact name; the API's search only
 * narrows the list). Fails clearly when there is none (naming similar ones) or, should names ever repeat, more
 * than one.
 */
export async function findClusterByName(options: {
  api: OrochiApi;
  token: () => Promise<string>;
  reference: string;
  /** The input the reference came from, for the error messages. */
  field: string;
}): Promise<Cluster> {
  const { api, token, reference, field } = options;
  const name = clusterNameOf(reference, field);
  const exact: Cluster[] = [];
  const similar: string[] = [];
  for (let offset = 0; ; offset += PAGE_SIZE) {
    const page = await explained(`Looking up cluster ${name}`, async () =>
      api.listClusters({ search: name, limit: PAGE_SIZE, offset }, { token: await token() }),
    );
    for (const cluster of page.items) {
      if (cluster.name === name) exact.push(cluster);
      else similar.push(cluster.name);
    }
    if (page.items.length < PAGE_SIZE || offset + PAGE_SIZE >= page.totalCount) break;
  }
  if (exact.length === 1) return exact[0];
  if (exact.length > 1) {
    throw new InputError(
      `${field}: ${reference} is ambiguous: ${exact.length} clusters are named ${name} (ids ${exact.map(c => c.id).join(', ')})`,
    );
  }
  const hint = similar.length > 0 ? `; similar: ${similar.slice(0, SUGGESTIONS).join(', ')}` : '';
  throw new NotFoundError(`${field}: there is no cluster named ${name} that you may read${hint}`);
}
