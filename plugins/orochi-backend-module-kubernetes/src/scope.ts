import { InputError } from '@backstage/errors';
import { KubernetesObject } from '@kubernetes/client-node';
import { KubernetesDriverConfig } from './config';
import { CLUSTER_ID_LABEL, INSTALLATION_LABEL, isLabelValue, MANAGED_BY } from './names';

/**
 * What belongs to this Orochi installation: objects labelled `app.kubernetes.io/managed-by: orochi` and
 * `orochi.io/installation: <installationId>`, in namespaces that start with the configured prefix. Every list,
 * watch and orphan removal goes through it, so two installations on one Kubernetes cluster never see or delete
 * each other's objects.
 */
export class InstallationScope {
  /** The label selector of everything this installation created. */
  readonly selector: string;

  constructor(private readonly config: Pick<KubernetesDriverConfig, 'installationId' | 'namespacePrefix'>) {
    const managedBy = Object.entries(MANAGED_BY).map(([key, value]) => `${key}=${value}`);
    this.selector = [...managedBy, `${INSTALLATION_LABEL}=${config.installationId}`].join(',');
  }

  get installationId() {
    return this.config.installationId;
  }

  /** The selector of one Orochi cluster's objects. */
  clusterSelector(clusterId: string): string {
    if (!isLabelValue(clusterId)) throw new InputError(`"${clusterId}" is not an Orochi cluster id`);
    return `${this.selector},${CLUSTER_ID_LABEL}=${clusterId}`;
  }

  /** Whether the object is this installation's: its labels, and a namespace with the prefix. */
  readonly owns = (object: KubernetesObject): boolean => {
    const { namespace, labels = {} } = object.metadata ?? {};
    return (
      !!namespace?.startsWith(this.config.namespacePrefix) &&
      labels[INSTALLATION_LABEL] === this.config.installationId &&
      Object.entries(MANAGED_BY).every(([key, value]) => labels[key] === value)
    );
  };
}
