import { DriverCluster, settingsForSize } from '@orochi/backstage-plugin-orochi-node';
import { APP_DATABASE, CU_MEMORY_MIB } from '@orochi/backstage-plugin-orochi-common';
import { KubernetesDriverConfig } from './config';
import { MONITORING_QUERIES, monitoringQueries } from './metrics/activityQueries';
import { RecoveryBootstrap } from './recovery';
import {
  appSecretName,
  BACKUP_ID_LABEL,
  backupName,
  BARMAN_PLUGIN,
  CLUSTER_ID_LABEL,
  CNPG,
  HIBERNATION_ANNOTATION,
  INSTALLATION_LABEL,
  MANAGED_BY,
  namespaceFor,
  objectStoreName,
  ownerName,
  poolerName,
  scheduledBackupName,
  dnsLabel,
  TENANT_ROLE,
} from './names';

/** A Kubernetes object as Orochi applies it. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

/** What every object of this installation carries; the installation's list, watch and orphan removal select on it. */
function installationLabels(config: KubernetesDriverConfig): Record<string, string> {
  return { ...MANAGED_BY, [INSTALLATION_LABEL]: config.installationId };
}

function labels(config: KubernetesDriverConfig, cluster: DriverCluster): Record<string, string> {
  return {
    ...installationLabels(config),
    [CLUSTER_ID_LABEL]: cluster.id,
    'orochi.io/owner': dnsLabel(ownerName(cluster.spec.owner)),
  };
}

const apiVersion = (kind: { group: string; version: string }) => `${kind.group}/${kind.version}`;

/** Every manifest of one cluster: where it goes and what Orochi wants there. */
export class ClusterManifests {
  readonly namespace: string;

  constructor(
    private readonly config: KubernetesDriverConfig,
    private readonly cluster: DriverCluster,
  ) {
    this.namespace = namespaceFor(config.namespacePrefix, cluster.spec.owner);
  }

  get name() {
    return this.cluster.spec.name;
  }

  /**
   * The cluster's folder in the object store (under the namespace's destination path). It names this incarnation,
   * with the Orochi cluster id that every create gets anew, so a cluster deleted and created again with the same
   * name archives into a fresh folder rather than onto the old one's WAL.
   */
  get serverName() {
    return `${this.name}-${this.cluster.id}`;
  }

  /** The owning team's namespace, labelled with the Backstage group it belongs to. */
  namespaceManifest(): Manifest {
    return {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: this.namespace,
        labels: { ...installationLabels(this.config), 'orochi.io/owner': dnsLabel(ownerName(this.cluster.spec.owner)) },
        annotations: { 'backstage.io/owner': this.cluster.spec.owner },
      },
    };
  }

  /**
   * Binds the backend's service account to the `orochi-tenant` ClusterRole in the team namespace: all it may do
   * with secrets and CloudNativePG objects, it may do only in Orochi's namespaces.
   */
  roleBindingManifest(serviceAccount: { name: string; namespace: string }): Manifest {
    return {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: TENANT_ROLE, namespace: this.namespace, labels: installationLabels(this.config) },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: TENANT_ROLE },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccount.name, namespace: serviceAccount.namespace }],
    };
  }

  /** The application role's credentials; created once, so applying again never changes the password. */
  secretManifest(password: string): Manifest {
    return {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/basic-auth',
      metadata: { name: appSecretName(this.name), namespace: this.namespace, labels: labels(this.config, this.cluster) },
      stringData: { username: APP_DATABASE.user, password },
    };
  }

  /** Orochi's monitoring queries for the exporter of every Cluster in the namespace (metrics/activityQueries.ts). */
  monitoringQueriesManifest(): Manifest {
    return {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: {
        name: MONITORING_QUERIES.name,
        namespace: this.namespace,
        // CloudNativePG reloads the queries of a Secret with this label when it changes.
        labels: { ...installationLabels(this.config), 'cnpg.io/reload': '' },
      },
      stringData: { [MONITORING_QUERIES.key]: monitoringQueries() },
    };
  }

  /**
   * The Cluster: bootstrapped by initdb, or (for a restored cluster or a branch, given `recovery`) by recovery from
   * its source's archive. A bootstrap happens once, so a restored cluster is always rendered with its recovery.
   */
  clusterManifest(recovery?: RecoveryBootstrap): Manifest {
    const { spec, cu } = this.cluster;
    const { config } = this;
    const memory = `${Math.round(cu * CU_MEMORY_MIB)}Mi`;
    return {
      apiVersion: apiVersion(CNPG.cluster),
      kind: CNPG.cluster.kind,
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels: labels(this.config, this.cluster),
        annotations: {
          'orochi.io/owner': spec.owner,
          // Declarative hibernation: the operator stops the instances and keeps their volumes.
          ...(spec.hibernated ? { [HIBERNATION_ANNOTATION]: 'on' } : {}),
        },
      },
      spec: {
        instances: spec.instances,
        imageName: `${config.image}:${spec.version}`,
        // Pods carry the cluster's name as Backstage's Kubernetes plugin looks for it.
        inheritedMetadata: {
          labels: {
            'backstage.io/kubernetes-id': this.name,
            [CLUSTER_ID_LABEL]: this.cluster.id,
            [INSTALLATION_LABEL]: this.config.installationId,
          },
        },
        monitoring: { customQueriesSecret: [MONITORING_QUERIES] },
        postgresql: {
          parameters: settingsForSize(cu),
          ...(config.orochiExtension ? { shared_preload_libraries: ['orochi'] } : {}),
        },
        ...(recovery
          ? {
              // The restored cluster's own application credentials replace the source's.
              bootstrap: {
                recovery: {
                  ...recovery.bootstrap.recovery,
                  database: APP_DATABASE.name,
                  owner: APP_DATABASE.user,
                  secret: { name: appSecretName(this.name) },
                },
              },
              externalClusters: recovery.externalClusters,
            }
          : {
              bootstrap: {
                initdb: {
                  database: APP_DATABASE.name,
                  owner: APP_DATABASE.user,
                  secret: { name: appSecretName(this.name) },
                  ...(config.orochiExtension ? { postInitApplicationSQL: ['CREATE EXTENSION IF NOT EXISTS orochi'] } : {}),
                },
              },
            }),
        storage: {
          size: `${spec.storageGb}Gi`,
          ...(config.storageClass ? { storageClass: config.storageClass } : {}),
        },
        resources: {
          requests: { cpu: String(cu), memory },
          limits: { cpu: String(cu), memory },
        },
        ...(spec.backups.enabled
          ? {
              plugins: [
                {
                  name: BARMAN_PLUGIN,
                  isWALArchiver: true,
                  parameters: { barmanObjectName: objectStoreName(this.serverName), serverName: this.serverName },
                },
              ],
            }
          : {}),
      },
    };
  }

  /** PgBouncer in transaction mode in front of the primary. */
  poolerManifest(): Manifest {
    return {
      apiVersion: apiVersion(CNPG.pooler),
      kind: CNPG.pooler.kind,
      metadata: { name: poolerName(this.name), namespace: this.namespace, labels: labels(this.config, this.cluster) },
      spec: {
        cluster: { name: this.name },
        instances: this.config.poolerInstances,
        type: 'rw',
        pgbouncer: { poolMode: 'transaction' },
      },
    };
  }

  /**
   * Where the Barman Cloud plugin archives WAL and puts base backups, kept for the cluster's retention: under
   * `<destinationPath>/<namespace>/`, in the folder `serverName`.
   */
  objectStoreManifest(reading?: { name: string; namespace: string }): Manifest {
    const backups = this.config.backups;
    if (!backups) {
      throw new Error('Backups need orochi.kubernetes.backups.destinationPath: where to put them');
    }
    const credentials = backups.credentialsSecret
      ? {
          accessKeyId: { name: backups.credentialsSecret, key: 'ACCESS_KEY_ID' },
          secretAccessKey: { name: backups.credentialsSecret, key: 'ACCESS_SECRET_KEY' },
        }
      : { inheritFromIAMRole: true };
    return {
      apiVersion: apiVersion(CNPG.objectStore),
      kind: CNPG.objectStore.kind,
      metadata: {
        name: reading?.name ?? objectStoreName(this.serverName),
        namespace: this.namespace,
        labels: labels(this.config, this.cluster),
      },
      spec: {
        // The plugin removes what is outside the retention; a store that only reads another's backups removes nothing.
        ...(reading ? {} : { retentionPolicy: `${this.cluster.spec.backups.retentionDays}d` }),
        configuration: {
          destinationPath: `${backups.destinationPath.replace(/\/+$/, '')}/${reading?.namespace ?? this.namespace}/`,
          ...(backups.endpointURL ? { endpointURL: backups.endpointURL } : {}),
          s3Credentials: credentials,
        },
      },
    };
  }

  /** An on-demand backup through the Barman Cloud plugin, named and labelled by Orochi's backup id. */
  backupManifest(backupId: string): Manifest {
    return {
      apiVersion: apiVersion(CNPG.backup),
      kind: CNPG.backup.kind,
      metadata: {
        name: backupName(this.name, backupId),
        namespace: this.namespace,
        labels: { ...labels(this.config, this.cluster), [BACKUP_ID_LABEL]: backupId },
      },
      spec: { cluster: { name: this.name }, method: 'plugin', pluginConfiguration: { name: BARMAN_PLUGIN } },
    };
  }

  scheduledBackupManifest(): Manifest {
    return {
      apiVersion: apiVersion(CNPG.scheduledBackup),
      kind: CNPG.scheduledBackup.kind,
      metadata: { name: scheduledBackupName(this.name), namespace: this.namespace, labels: labels(this.config, this.cluster) },
      spec: {
        schedule: this.cluster.spec.backups.schedule,
        cluster: { name: this.name },
        method: 'plugin',
        pluginConfiguration: { name: BARMAN_PLUGIN },
        backupOwnerReference: 'self',
      },
    };
  }
}
