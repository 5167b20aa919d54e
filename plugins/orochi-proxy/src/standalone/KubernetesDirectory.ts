import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { APP_DATABASE, CLUSTER_ID_ANNOTATION } from '@orochi/backstage-plugin-orochi-common';
import { CNPG_CLUSTER, HIBERNATION_ANNOTATION, INSTALLATION_LABEL } from '@orochi/backstage-plugin-orochi-node';

/** A cluster as the proxy needs it: where its primary's Service is and whether it can take a connection now. */
export interface RoutedCluster {
  id: string;
  name: string;
  namespace: string;
  /** The database CloudNativePG created for the application. */
  database: string;
  /** The Service that always points at the primary. */
  writeService: string;
  hibernated: boolean;
  ready: boolean;
}

interface CnpgClusterObject {
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { bootstrap?: { initdb?: { database?: string } } };
  status?: { readyInstances?: number; writeService?: string };
}

/**
 * Finds clusters by name in the CloudNativePG Clusters of one Orochi installation, across its team namespaces:
 * names are unique across owners, so the name is the whole route. Read on every connection, so a new, woken or
 * deleted cluster is seen at once.
 */
export class KubernetesDirectory {
  readonly #custom: CustomObjectsApi;
  readonly #installationId: string;

  constructor(options: { kubeConfig: KubeConfig; installationId: string }) {
    this.#custom = options.kubeConfig.makeApiClient(CustomObjectsApi);
    this.#installationId = options.installationId;
  }

  async find(name: string): Promise<RoutedCluster | undefined> {
    const list = await this.#custom.listClusterCustomObject({
      group: CNPG_CLUSTER.group,
      version: CNPG_CLUSTER.version,
      plural: CNPG_CLUSTER.plural,
      fieldSelector: `metadata.name=${name}`,
      labelSelector: `${INSTALLATION_LABEL}=${this.#installationId}`,
    });
    const items = (list.items ?? []) as CnpgClusterObject[];
    const object = items.find(item => item.metadata?.labels?.[CLUSTER_ID_ANNOTATION]);
    if (!object?.metadata?.namespace) return undefined;
    const { metadata, spec, status } = object;
    return {
      id: metadata.labels![CLUSTER_ID_ANNOTATION],
      name,
      namespace: metadata.namespace!,
      database: spec?.bootstrap?.initdb?.database ?? APP_DATABASE.name,
      writeService: status?.writeService ?? `${name}-rw`,
      hibernated: metadata.annotations?.[HIBERNATION_ANNOTATION] === 'on',
      ready: (status?.readyInstances ?? 0) > 0,
    };
  }
}
