import { RestoreTarget } from '@orochi/backstage-plugin-orochi-common';
import { DriverBackup, DriverCluster, DriverOperationContext, settingsForCluster } from '@orochi/backstage-plugin-orochi-node';
import { existsSync } from 'node:fs';
import { chown, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BaseBackups } from './baseBackups';
import { ClusterStorage, scratchSibling } from './ClusterStorage';
import { SUPERUSER } from './constants';
import { PortAllocator } from './ports';
import { PostgresInstallation } from './PostgresInstallation';
import { run } from './processes';
import { Provisioning } from './provisioning';
import { Recovery, RecoveryTarget } from './recovery';
import { ServerControl } from './ServerControl';
import { dropAutoConninfo } from './standbys';
import { WalArchive } from './walArchive';

/** In a copy of a running source until its server has started (and synced it). */
const UNSYNCED_MARKER = 'orochi-unsynced-copy';

/**
 * Makes a new cluster's primary data directory from another cluster: a copy of the running source (`now`), or a
 * base backup recovered with the source's WAL archive to a moment, a backup's end, or the end of the archive, then
 * promoted. The copy is built beside its final place and renamed in; a recovery in progress is marked by
 * recovery.signal, so a second call after a crash picks up where the first stopped. The source is only read
 * (apart from a WAL switch), never stopped or restarted.
 */
export class Restorer {
  readonly #pg: PostgresInstallation;
  readonly #storage: ClusterStorage;
  readonly #ports: PortAllocator;
  readonly #servers: ServerControl;
  readonly #archive: WalArchive;
  readonly #backups: BaseBackups;
  readonly #recovery: Recovery;

  constructor(options: {
    pg: PostgresInstallation;
    storage: ClusterStorage;
    ports: PortAllocator;
    servers: ServerControl;
    provisioning: Provisioning;
    archive: WalArchive;
    backups: BaseBackups;
  }) {
    this.#pg = options.pg;
    this.#storage = options.storage;
    this.#ports = options.ports;
    this.#servers = options.servers;
    this.#archive = options.archive;
    this.#backups = options.backups;
    this.#recovery = new Recovery(options);
  }

  async restore(cluster: DriverCluster, source: DriverCluster, target: RestoreTarget, ctx: DriverOperationContext) {
    const { files } = this.#storage;
    const pgdata = files.pgdata(cluster.id, 0);
    await ctx.step('Allocate directories and ports', () => this.#ports.allocate(cluster.id, cluster.spec.name, 1));
    // A recovery runs within the new cluster's CPU limit.
    await this.#storage.recordCu(cluster.id, cluster.cu);
    // The new cluster archives into its own archive from its first promotion on, never into the source's.
    await this.#archive.ensureDirectory(cluster.id);
    const settings = { ...settingsForCluster(cluster), ...this.#archive.settings(cluster.id) };
    // A copy of a running source is written without syncing (the server syncs its data directory when it first
    // starts); one the host may have lost before that start is made again.
    if (existsSync(join(pgdata, UNSYNCED_MARKER))) await rm(pgdata, { recursive: true, force: true });
    const copied = existsSync(join(pgdata, 'PG_VERSION'));
    if (copied && !existsSync(join(pgdata, 'recovery.signal'))) {
      await this.#recovery.finish(cluster.id, settings);
      return;
    }
    await this.#storage.serverDirectory(files.instance(cluster.id, 0));
    if (target.type === 'now') {
      await ctx.step(`Copy ${source.spec.name} as it is now`, () => this.#copyRunning(source, pgdata));
      return;
    }
    // Chosen before the archive is brought up to date, so an unreachable target fails before touching anything.
    const backup = copied ? undefined : await this.#chooseBackup(source, target);
    const archivedThrough = await this.#archiveSource(source, ctx);
    if (backup) await ctx.step(`Copy backup ${backup.id}`, () => this.#copyBackup(source.id, backup.id, pgdata));
    await this.#recovery.recover(
      cluster.id,
      { target, restoreCommand: this.#archive.restoreCommand(source.id), archivedThrough },
      settings,
      ctx,
    );
  }

  /**
   * Brings the source's archive up to date when it runs, so `latest` and recent moments are reachable; answers
   * the moment up to which the archive is complete: now for a running source, its last segment for a stopped one
   * (a clean shutdown archives everything before it).
   */
  async #archiveSource(source: DriverCluster, ctx: DriverOperationContext): Promise<Date | undefined> {
    if (!(await this.#servers.state(source.id, 0)).running || !(await this.#archive.isArchiving(source.id))) {
      return this.#archive.lastArchivedAt(source.id);
    }
    const before = new Date();
    await ctx.step(`Archive the current WAL of ${source.spec.name}`, () =>
      this.#archive.archiveCurrent(source.id, ctx.signal),
    );
    return before;
  }

  /**
   * A plain copy of the running source's primary, as an independent primary: no standby settings. pg_basebackup
   * costs a fast checkpoint and a copy through the replication protocol (without its own sync, which the
   * server's first start does anyway, and without a manifest, which nothing verifies); a file copy between pg_backup_start and
   * pg_backup_stop would be no faster without a filesystem that clones files (reflinks), which this host lacks.
   */
  async #copyRunning(source: DriverCluster, pgdata: string) {
    if (!(await this.#servers.state(source.id, 0)).running) {
      throw new Error(`${source.spec.name} is not running; a copy of it as it is now needs it running`);
    }
    const meta = (await this.#storage.readMeta(source.id))!;
    const copying = await scratchSibling(pgdata);
    await run(
      this.#pg.bin('pg_basebackup'),
      ['-D', copying, '-h', this.#storage.files.socketDirectory(source.id, 0), '-p', String(meta.ports[0]), '-U', SUPERUSER,
        '-X', 'stream', '--checkpoint=fast', '--no-sync', '--no-manifest'],
      { identity: this.#storage.identity },
    );
    const marker = join(copying, UNSYNCED_MARKER);
    await writeFile(marker, '', { mode: 0o600 });
    if (this.#storage.identity) await chown(marker, this.#storage.identity.uid, this.#storage.identity.gid);
    await rm(join(copying, 'standby.signal'), { force: true });
    // A primary_conninfo (from a source that was made as a standby) would make the copy follow the source.
    await dropAutoConninfo(this.#storage, copying);
    await rename(copying, pgdata);
  }

  /**
   * Called once the new cluster's primary has started: PostgreSQL syncs a copied data directory at its first start
   * (it finds a backup label), so the copy no longer needs the marker that would have it made again.
   */
  async started(cluster: DriverCluster) {
    await rm(join(this.#storage.files.pgdata(cluster.id, 0), UNSYNCED_MARKER), { force: true });
  }

  /** The newest completed backup that can reach the target. */
  async #chooseBackup(source: DriverCluster, target: RecoveryTarget): Promise<DriverBackup> {
    const completed = (await this.#backups.list(source.id)).filter(b => b.state === 'completed' && b.recoverableFrom);
    if (target.type === 'backup') {
      const named = completed.find(b => b.id === target.backupId);
      if (!named) throw new Error(`${source.spec.name} has no completed backup ${target.backupId}`);
      return named;
    }
    const before = target.type === 'time' ? Date.parse(target.time) : Date.now();
    const backup = completed.find(b => Date.parse(b.recoverableFrom!) <= before);
    if (!backup) throw new Error(`${source.spec.name} has no completed backup from before ${new Date(before).toISOString()}`);
    return backup;
  }

  /** The backup's data with recovery.signal, renamed into place whole: a half-copied backup is never taken up. */
  async #copyBackup(sourceId: string, backupId: string, pgdata: string) {
    const copying = await scratchSibling(pgdata);
    await run('cp', ['-a', this.#backups.dataOf(sourceId, backupId), copying], { identity: this.#storage.identity });
    const signal = join(copying, 'recovery.signal');
    await writeFile(signal, '', { mode: 0o600 });
    if (this.#storage.identity) await chown(signal, this.#storage.identity.uid, this.#storage.identity.gid);
    await rename(copying, pgdata);
  }
}
