import { createBackendModule } from '@backstage/backend-plugin-api';
import { ClusterDriver, DriverCluster, orochiDriversExtensionPoint } from '@orochi/backstage-plugin-orochi-node';

/**
 * A cluster driver whose clusters run the moment they are applied and hold nothing: for tests of what Orochi
 * decides (permissions, billing), where real servers would only add time.
 */
export function instantDriver(): ClusterDriver {
  return {
    capabilities: async () => ({ versions: [17], pooling: false, schedulesBackups: false }),
    apply: async () => undefined,
    delete: async () => undefined,
    observe: async (cluster: DriverCluster) => ({
      phase: cluster.spec.hibernated ? 'stopped' : 'running',
      instances: cluster.spec.instances,
      readyInstances: cluster.spec.hibernated ? 0 : cluster.spec.instances,
      endpoints: [{ role: 'primary', host: 'localhost', port: 5432 }],
      conditions: [],
    }),
    readCredentials: async () => ({ host: 'localhost', port: 5432, database: 'app', user: 'app', password: 'instant-driver-password' }),
    readMetrics: async () => undefined,
    listClusterIds: async () => [],
    deleteOrphan: async () => undefined,
    backup: async (_cluster, backup) => ({ id: backup.id, kind: backup.kind, state: 'completed', startedAt: new Date().toISOString() }),
    listBackups: async () => [],
    recoveryWindow: async () => ({}),
    restore: async () => undefined,
    applyBackupRetention: async () => [],
    purgeDeletedClusterBackups: async () => [],
  };
}

/** Adds {@link instantDriver} as the `instant` driver (select it with `orochi.driver: instant`). */
export const instantDriverModule = createBackendModule({
  pluginId: 'orochi',
  moduleId: 'instant-driver',
  register(reg) {
    reg.registerInit({
      deps: { drivers: orochiDriversExtensionPoint },
      async init({ drivers }) {
        drivers.addDriver('instant', instantDriver());
      },
    });
  },
});
