import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { readInstallationId } from '@orochi/backstage-plugin-orochi-node';
import { isDnsLabel } from './names';

/** The kubernetes driver's configuration (`orochi.kubernetes`, and `orochi.installationId` through orochi-node), with defaults. Read here only. */
export interface KubernetesDriverConfig {
  /** Which Orochi installation this is; every object the driver creates carries it as `orochi.io/installation`. */
  installationId: string;
  kubeconfig?: string;
  context?: string;
  namespacePrefix: string;
  image: string;
  versions: number[];
  orochiExtension: boolean;
  storageClass?: string;
  poolerInstances: number;
  backups?: { destinationPath: string; endpointURL?: string; credentialsSecret?: string };
  /** The backend's service account, bound to the `orochi-tenant` ClusterRole in each team namespace it creates. */
  serviceAccount?: { name: string; namespace: string };
  /**
   * How long each step of a rolling update (one instance's restart, a switchover) may take: as long as a cluster
   * may take to become ready, `orochi.operations.readyTimeoutSeconds` (the operation engine's default, 300).
   */
  rolloutStepTimeoutSeconds: number;
  /**
   * The standalone connection proxy clients connect through (`orochi-proxy`): a cluster's address is then
   * `<name>.<domain>:<port>`, kept while the cluster is suspended when idle, and connecting wakes it.
   */
  connectionProxy?: { domain: string; port: number };
}

/** Room left in a namespace name for the team's name and, when needed, its hash. */
const MAX_PREFIX_LENGTH = 30;

const DNS_LABEL = { test: isDnsLabel, what: 'a DNS label' };
const DNS_SUBDOMAIN = {
  test: (value: string) => value.length <= 253 && value.split('.').every(isDnsLabel),
  what: 'a DNS subdomain',
};

export function readKubernetesDriverConfig(root: Config): KubernetesDriverConfig {
  const config = root.getOptionalConfig('orochi.kubernetes');
  const backups = config?.getOptionalConfig('backups');
  const serviceAccount = config?.getOptionalConfig('serviceAccount');
  return {
    installationId: readInstallationId(root),
    kubeconfig: config?.getOptionalString('kubeconfig'),
    context: config?.getOptionalString('context'),
    namespacePrefix: readNamespacePrefix(config),
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
    serviceAccount: serviceAccount && {
      name: kubernetesName(serviceAccount.getString('name'), 'orochi.kubernetes.serviceAccount.name', DNS_SUBDOMAIN),
      namespace: kubernetesName(serviceAccount.getString('namespace'), 'orochi.kubernetes.serviceAccount.namespace', DNS_LABEL),
    },
    rolloutStepTimeoutSeconds: root.getOptionalNumber('orochi.operations.readyTimeoutSeconds') ?? 300,
    connectionProxy: readConnectionProxy(config?.getOptionalConfig('connectionProxy')),
  };
}

function readConnectionProxy(config: Config | undefined): KubernetesDriverConfig['connectionProxy'] {
  if (!config) return undefined;
  const domain = kubernetesName(config.getString('domain'), 'orochi.kubernetes.connectionProxy.domain', DNS_SUBDOMAIN);
  const port = config.getOptionalNumber('port') ?? 5432;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InputError(`orochi.kubernetes.connectionProxy.port must be a port number, not ${port}`);
  }
  return { domain, port };
}

function readNamespacePrefix(config: Config | undefined): string {
  const prefix = config?.getOptionalString('namespacePrefix') ?? 'orochi-';
  if (prefix.length > MAX_PREFIX_LENGTH || !/^[a-z0-9][-a-z0-9]*$/.test(prefix)) {
    throw new InputError(
      `orochi.kubernetes.namespacePrefix must be the start of a namespace name (lowercase letters, digits and '-', at most ${MAX_PREFIX_LENGTH} characters), not "${prefix}"`,
    );
  }
  return prefix;
}

function kubernetesName(value: string, key: string, rule: { test: (value: string) => boolean; what: string }): string {
  if (!rule.test(value)) throw new InputError(`${key} must be a Kubernetes name (${rule.what}), not "${value}"`);
  return value;
}

function readVersions(config: Config | undefined): number[] {
  const versions = config?.getOptional('versions') ?? [17];
  if (!Array.isArray(versions) || versions.length === 0 || !versions.every(v => Number.isInteger(v))) {
    throw new Error('orochi.kubernetes.versions must be a list of PostgreSQL major versions, such as [16, 17]');
  }
  return [...(versions as number[])].sort((a, b) => a - b);
}
