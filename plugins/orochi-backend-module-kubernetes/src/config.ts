import { Config } from '@backstage/config';

/** The kubernetes driver's configuration (`orochi.kubernetes`), with defaults. Read here only. */
export interface KubernetesDriverConfig {
  kubeconfig?: string;
  context?: string;
  namespacePrefix: string;
  image: string;
  versions: number[];
  orochiExtension: boolean;
  storageClass?: string;
  poolerInstances: number;
  backups?: { destinationPath: string; endpointURL?: string; credentialsSecret?: string };
}

export function readKubernetesDriverConfig(root: Config): KubernetesDriverConfig {
  const config = root.getOptionalConfig('orochi.kubernetes');
  const backups = config?.getOptionalConfig('backups');
  return {
    kubeconfig: config?.getOptionalString('kubeconfig'),
    context: config?.getOptionalString('context'),
    namespacePrefix: config?.getOptionalString('namespacePrefix') ?? 'orochi-',
    image: config?.getOptionalString('image') ?? 'ghcr.io/orochi-db/orochi-postgres',
    versions: readVersions(config),
    orochiExtension: config?.getOptionalBoolean('orochiExtension') ?? true,
    storageClass: config?.getOptionalString('storageClass'),
    poolerInstances: config?.getOptionalNumber('poolerInstances') ?? 2,
    backups: backups && {
      destinationPath: backups.getString('destinationPath'),
      endpointURL: backups.getOptionalString('endpointURL'),
      credentialsSecret: backups.getOptionalString('credentialsSecret'),
    },
  };
}

function readVersions(config: Config | undefined): number[] {
  const versions = config?.getOptional('versions') ?? [17];
  if (!Array.isArray(versions) || versions.length === 0 || !versions.every(v => Number.isInteger(v))) {
    throw new Error('orochi.kubernetes.versions must be a list of PostgreSQL major versions, such as [16, 17]');
  }
  return [...(versions as number[])].sort((a, b) => a - b);
}
