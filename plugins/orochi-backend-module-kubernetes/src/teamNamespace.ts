import { ConflictError } from '@backstage/errors';
import { V1Namespace } from '@kubernetes/client-node';
import { KubernetesDriverConfig } from './config';
import { KubeApi } from './KubeApi';
import { ClusterManifests } from './manifests';
import { INSTALLATION_LABEL, MANAGED_BY } from './names';

/** Why Orochi must not use the namespace, or undefined when it may: another installation's, or not Orochi's at all. */
function refusal(namespace: V1Namespace, installationId: string): string | undefined {
  const labels = namespace.metadata?.labels ?? {};
  const name = namespace.metadata?.name;
  if (Object.entries(MANAGED_BY).some(([key, value]) => labels[key] !== value)) {
    return `Namespace ${name} exists and is not Orochi's (no label app.kubernetes.io/managed-by=orochi); Orochi does not put clusters in it`;
  }
  const owner = labels[INSTALLATION_LABEL];
  if (owner !== undefined && owner !== installationId) {
    return `Namespace ${name} belongs to the Orochi installation "${owner}", not "${installationId}"; give each installation its own orochi.kubernetes.namespacePrefix`;
  }
  return undefined;
}

/**
 * The owning team's namespace, ready for its clusters: created when missing (only create is granted cluster-wide),
 * refused when it is another installation's or not Orochi's, with the backend's service account bound to
 * `orochi-tenant` in it when one is configured, then its labels applied (patching a namespace is granted only by
 * that binding, inside it). A namespace of this installation from before `orochi.io/installation` existed is
 * adopted: it gets the label.
 */
export async function ensureTeamNamespace(api: KubeApi, config: KubernetesDriverConfig, set: ClusterManifests): Promise<void> {
  const manifest = set.namespaceManifest();
  const existing =
    (await api.readNamespace(set.namespace)) ?? (await api.createNamespace(manifest)) ?? (await api.readNamespace(set.namespace));
  const refused = existing && refusal(existing, config.installationId);
  if (refused) throw new ConflictError(refused);
  if (config.serviceAccount) await api.createRoleBinding(set.roleBindingManifest(config.serviceAccount));
  await api.applyNamespace(manifest);
}
