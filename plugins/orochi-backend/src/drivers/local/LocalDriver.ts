import { LoggerService } from '@backstage/backend-plugin-api';
import { BackupKind, RecoveryWindow, RestoreTarget } from '@orochi/backstage-plugin-orochi-common';
import {
  ClusterCredentials,
  ClusterDriver,
  DriverBackup,
  ClusterMetricsSample,
  ClusterObservation,
  settingsForCluster,
  DriverCluster,
  DriverOperationContext,
  StoredBytes,
} from '@orochi/backstage-plugin-orochi-node';
import { join } from 'node:path';
import { LocalDriverConfig } from '../../config';
import { ClusterBackups } from './backups';
import { BaseBackups } from './baseBackups';
import { ClusterFiles } from './ClusterFiles';
import { directoryBytes } from './diskUsage';
import { ClusterStorage } from './ClusterStorage';
import { APP_DATABASE, APP_USER, DEFAULT_INSTALLATION_ID } from './constants';
import { CpuLimiter, detectCpuLimits } from './cpuLimits';
import { DataDirectories } from './dataDirectories';
import { reachableRoot } from './dataRoot';
import { Observer } from './observation';
import { PortAllocator } from './ports';
import { findPostgresInstallation, PostgresInstallation } from './PostgresInstallation';
import { resolveServerIdentity } from './processes';
import { Provisioning } from './provisioning';
import { Restorer } from './restore';
import { LocalConnectionProxy } from './connectionProxy';
import { ServerControl } from './ServerControl';
import { Standbys } from './standbys';
import { WalArchive } from './walArchive';

/**
 * The embedded driver: real PostgreSQL servers on the Backstage host. One data directory and port per instance;
 * instance 0 is the primary, the others are streaming standbys made with pg_basebackup. New clusters are copied
 * from an initialised template, so creating one costs a copy and a server start, not an initdb. Servers run in
 * their own process groups and outlive the backend; after a restart the driver finds them through the files.
 *
 * Every primary archives its WAL and base backups go next to the archive, outside the cluster's directory, so a
 * cluster can be restored to any moment since its oldest backup, also for a while after it was deleted.
 *
 * Each cluster's metadata records the installation that created it; an installation lists only its own
 * clusters and never changes or removes another's, so installations may share a data directory.
 *
 * Where the host's cgroups let the backend, each server gets its cluster's compute units of CPU (a CU is one
 * vCPU), and a new size changes the quota in place; memory follows the size through PostgreSQL's settings.
 */
export class LocalDriver implements ClusterDriver {
  static async create(options: {
    config: LocalDriverConfig;
    logger: LoggerService;
    /** The Orochi installation this driver works for; default `default`. */
    installationId?: string;
  }): Promise<LocalDriver> {
    const { config, logger } = options;
    const installation = await findPostgresInstallation(config.binDirectory);
    const identity = await resolveServerIdentity(config.serverUser);
    const root = await reachableRoot(config.dataDirectory, identity, logger);
    logger.info(
      [
        `Local driver: PostgreSQL ${installation.majorVersion} from ${installation.binDirectory}`,
        `data in ${root}`,
        identity ? `servers run as ${identity.name}` : 'servers run as the backend user',
        installation.hasOrochiExtension ? 'orochi extension available' : 'no orochi extension',
      ].join(', '),
    );
    const installationId = options.installationId ?? DEFAULT_INSTALLATION_ID;
    const storage = new ClusterStorage(new ClusterFiles(root), identity, installationId);
    const cpu = detectCpuLimits({ mode: config.cpuLimits, installationId, dataRoot: root, logger });
    const driver = new LocalDriver(config, installation, storage, cpu, logger);
    await driver.#proxy.adoptAll();
    for (const id of await storage.ownClusterIds()) await driver.#servers.adopt(id);
    return driver;
  }

  readonly #pg: PostgresInstallation;
  readonly #host: string;
  readonly #storage: ClusterStorage;
  readonly #ports: PortAllocator;
  readonly #data: DataDirectories;
  readonly #servers: ServerControl;
  readonly #provisioning: Provisioning;
  readonly #standbys: Standbys;
  readonly #observer: Observer;
  readonly #archive: WalArchive;
  readonly #baseBackups: BaseBackups;
  readonly #backups: ClusterBackups;
  readonly #restorer: Restorer;
  readonly #proxy: LocalConnectionProxy;
  readonly #cpu: CpuLimiter;

  private constructor(
    config: LocalDriverConfig,
    pg: PostgresInstallation,
    storage: ClusterStorage,
    cpu: CpuLimiter,
    logger: LoggerService,
  ) {
    this.#pg = pg;
    this.#host = config.host;
    this.#storage = storage;
    this.#cpu = cpu;
    this.#ports = new PortAllocator(storage, config.portRange, port => this.#proxy.holds(port));
    this.#data = new DataDirectories(pg, storage);
    this.#servers = new ServerControl({ pg, storage, ports: this.#ports, listenAddress: config.listenAddress, cpu });
    this.#proxy = new LocalConnectionProxy({ storage, servers: this.#servers, listenAddress: config.listenAddress, logger });
    this.#provisioning = new Provisioning(storage, { orochiExtension: pg.hasOrochiExtension });
    this.#standbys = new Standbys({ pg, storage, ports: this.#ports, servers: this.#servers });
    this.#archive = new WalArchive(storage, this.#provisioning);
    this.#baseBackups = new BaseBackups({ pg, storage, servers: this.#servers, archive: this.#archive });
    this.#backups = new ClusterBackups({ pg, storage, servers: this.#servers, archive: this.#archive, backups: this.#baseBackups });
    this.#restorer = new Restorer({
      pg,
      storage,
      ports: this.#ports,
      servers: this.#servers,
      provisioning: this.#provisioning,
      archive: this.#archive,
      backups: this.#baseBackups,
    });
    this.#observer = new Observer({
      storage,
      servers: this.#servers,
      provisioning: this.#provisioning,
      host: config.host,
      orochiExtension: pg.hasOrochiExtension,
    });
  }

  /** Where cluster files live (after any fallback for root); for tests and diagnostics. */
  get dataDirectory() {
    return this.#storage.files.root;
  }

  /** The cgroup that limits an instance's CPU, when CPU is limited; for tests and diagnostics. */
  cpuCgroup(cluster: DriverCluster, index: number): string | undefined {
    return this.#cpu.cgroup(cluster.id, index);
  }

  async capabilities() {
    // Orochi's backup job starts scheduled backups; the driver has no scheduler of its own.
    return { versions: [this.#pg.majorVersion], pooling: false, schedulesBackups: false };
  }

  /**
   * Converges to the spec. The size comes only as `cluster.cu`: the driver never looks sizes up, so a cluster
   * keeps working when its size is removed from the configuration.
   */
  async apply(cluster: DriverCluster, ctx: DriverOperationContext) {
    const { id, spec } = cluster;
    if (spec.version !== this.#pg.majorVersion) {
      throw new Error(
        `PostgreSQL ${spec.version} is not installed on this host; the local driver runs ${this.#pg.majorVersion}`,
      );
    }
    await ctx.step('Allocate directories and ports', () => this.#ports.allocate(id, spec.name, spec.instances));
    // Before any server starts or reloads: the servers' CPU quotas follow it.
    await this.#storage.recordCu(id, cluster.cu);
    await ctx.step('Initialise data directory', () => this.#data.ensurePrimary(id));
    if (spec.hibernated) {
      await ctx.step('Stop servers', () => this.#servers.stopAll(id, 'fast'));
      // The address stays: a connection wakes a suspended cluster, or hears why a hibernated one stays down.
      await this.#proxy.ensure((await this.#storage.readMeta(id))!);
      return;
    }
    await this.#archive.ensureDirectory(id);
    const settings = { ...settingsForCluster(cluster), ...this.#archive.settings(id) };
    await ctx.step('Start primary', () => this.#servers.ensure(id, 0, settings));
    await this.#restorer.started(cluster);
    await this.#proxy.ensure((await this.#storage.readMeta(id))!);
    await ctx.step('Create application database', () => this.#provisioning.ensureDatabase(id));
    const standbys = await this.#storage.instanceIndexes(id);
    if (spec.instances > 1 || standbys.length > 1) {
      await ctx.step(`Converge to ${spec.instances - 1} streaming standbys`, () =>
        this.#standbys.ensure(id, spec.instances, settings),
      );
    }
  }

  async delete(cluster: DriverCluster, ctx: DriverOperationContext) {
    await this.#storage.assertNotForeign(cluster.id);
    await this.#backups.markDeleted(cluster.id, cluster.spec.name);
    await this.#proxy.close(cluster.id);
    await ctx.step('Stop servers', () => this.#stopForRemoval(cluster.id));
    await ctx.step('Remove data', () => this.#storage.removeCluster(cluster.id));
  }

  /** Removes a cluster of this installation that Orochi has no record of; refuses any other directory. */
  async deleteOrphan(id: string) {
    const { ownership, meta } = await this.#storage.ownership(id);
    if (ownership === 'absent') return;
    if (ownership !== 'ours') {
      throw new Error(
        ownership === 'foreign'
          ? `Refusing to remove local cluster ${id}: it belongs to another installation (${meta!.installationId})`
          : `Refusing to remove local cluster ${id}: its metadata names no installation`,
      );
    }
    // Its backups, if any, are kept and purged after the grace period like a deleted cluster's: an orphan may be
    // a cluster whose record was lost, and its backups are then the only way back to it.
    await this.#backups.markDeleted(id, meta?.name ?? id);
    await this.#proxy.close(id);
    await this.#stopForRemoval(id);
    await this.#storage.removeCluster(id);
  }

  /**
   * Fast, not immediate: a clean shutdown archives the last WAL, so the kept backups reach the deletion. A server
   * that cannot shut down cleanly is stopped at once: its data goes anyway.
   */
  async #stopForRemoval(id: string) {
    await this.#servers.stopAll(id, 'fast').catch(() => this.#servers.stopAll(id, 'immediate'));
  }

  async observe(cluster: DriverCluster): Promise<ClusterObservation> {
    const port = (await this.#storage.readMeta(cluster.id))?.ports[0];
    const wakesOnConnect = !!cluster.spec.idleSuspended && port !== undefined && this.#proxy.holds(port);
    return this.#observer.observe(cluster.id, { wakesOnConnect });
  }

  onConnectWhileStopped(wake: (clusterId: string, signal: AbortSignal) => Promise<void>) {
    this.#proxy.onConnectWhileStopped(wake);
  }

  /** Stops listening for clients; the servers keep running, to be adopted by the next start. */
  async close() {
    await this.#proxy.closeAll();
  }

  async readCredentials(cluster: DriverCluster): Promise<ClusterCredentials> {
    const meta = await this.#storage.readMeta(cluster.id);
    if (!meta) throw new Error(`No local cluster ${cluster.id}`);
    return {
      host: this.#host,
      port: meta.ports[0],
      database: APP_DATABASE,
      user: APP_USER,
      password: await this.#provisioning.password(cluster.id),
    };
  }

  async readMetrics(cluster: DriverCluster): Promise<ClusterMetricsSample | undefined> {
    const sample = await this.#observer.readMetrics(cluster.id);
    // A client that sent something through the proxy was active then, even if its session has ended since.
    const proxied = this.#proxy.stats(cluster.id)?.lastClientByteAt?.toISOString();
    if (!sample || !proxied || (sample.lastActivityAt && sample.lastActivityAt > proxied)) return sample;
    return { ...sample, lastActivityAt: proxied };
  }

  backup(cluster: DriverCluster, backup: { id: string; kind: BackupKind }, ctx: DriverOperationContext): Promise<DriverBackup> {
    return this.#baseBackups.take(cluster.id, backup, ctx);
  }

  /** The data directories of every instance, and the base backups and WAL archive, as they take up disk. */
  async measureStorage(cluster: DriverCluster): Promise<StoredBytes> {
    const files = this.#storage.files;
    return { data: await directoryBytes(join(files.cluster(cluster.id), 'instances')), backups: await directoryBytes(files.backups(cluster.id)) };
  }

  listBackups(cluster: DriverCluster): Promise<DriverBackup[]> {
    return this.#backups.list(cluster.id);
  }

  recoveryWindow(cluster: DriverCluster): Promise<RecoveryWindow> {
    return this.#backups.recoveryWindow(cluster.id);
  }

  async restore(cluster: DriverCluster, source: DriverCluster, target: RestoreTarget, ctx: DriverOperationContext) {
    if (cluster.spec.version !== this.#pg.majorVersion || source.spec.version !== this.#pg.majorVersion) {
      throw new Error(`The local driver runs PostgreSQL ${this.#pg.majorVersion} only`);
    }
    await this.#restorer.restore(cluster, source, target, ctx);
  }

  applyBackupRetention(cluster: DriverCluster): Promise<string[]> {
    return this.#backups.applyRetention(cluster.id, cluster.spec.backups.retentionDays);
  }

  purgeDeletedClusterBackups(deletedBefore: Date): Promise<string[]> {
    return this.#backups.purgeDeleted(deletedBefore);
  }

  /** Clusters of this installation (whose metadata names it), as candidates for orphans. */
  listClusterIds(): Promise<string[]> {
    return this.#storage.ownClusterIds();
  }
}
