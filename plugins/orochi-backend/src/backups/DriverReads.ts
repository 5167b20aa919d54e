import { LoggerService } from '@backstage/backend-plugin-api';
import { ServiceUnavailableError } from '@backstage/errors';
import { Backup, Cluster, RecoveryWindow } from '@orochi/backstage-plugin-orochi-common';
import { ClusterDriver } from '@orochi/backstage-plugin-orochi-node';
import { toDriverCluster } from '../engine/driverCluster';

/**
 * What the API reads from the driver about a cluster's backups. The driver is their record; its errors may name
 * files or hosts, so callers learn only that the read failed and the log says why.
 */
export class DriverReads {
  readonly #driver: ClusterDriver;
  readonly #logger: LoggerService;

  constructor(options: { driver: ClusterDriver; logger: LoggerService }) {
    this.#driver = options.driver;
    this.#logger = options.logger;
  }

  async backups(cluster: Cluster): Promise<Backup[]> {
    const backups = await this.#read(cluster, 'backups', () => this.#driver.listBackups(toDriverCluster(cluster)));
    return backups.map(backup => ({ ...backup, clusterId: cluster.id }));
  }

  recoveryWindow(cluster: Cluster): Promise<RecoveryWindow> {
    return this.#read(cluster, 'recovery window', () => this.#driver.recoveryWindow(toDriverCluster(cluster)));
  }

  async #read<T>(cluster: Cluster, what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      this.#logger.error(`Could not read the ${what} of ${cluster.name}`, error as Error);
      throw new ServiceUnavailableError(`The ${what} of ${cluster.name} could not be read; the backend log says why`);
    }
  }
}
