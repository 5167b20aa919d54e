import { RestoreTarget } from '@orochi/backstage-plugin-orochi-common';
import { DriverBackup, DriverCluster, DriverOperationContext, settingsForSize } from '@orochi/backstage-plugin-orochi-node';
import { existsSync } from 'node:fs';
import { readFile, rename, rm, writeFile, chown } from 'node:fs/promises';
import { join } from 'node:path';
import { BaseBackups } from './baseBackups';
import { ClusterStorage, scratchSibling } from './ClusterStorage';
import { SUPERUSER } from './constants';
import { PortAllocator } from './ports';
import { PostgresInstallation } from './PostgresInstallation';
import { run } from './processes';
import { Provisioning } from './provisioning';
import { quoteSetting, ServerControl } from './ServerControl';
import { WalArchive } from './walArchive';

/** How long a recovery may take to reach its target and promote. */
const PROMOTION_TIMEOUT_MS = 10 * 60_000;

/**
 * Makes a new cluster's primary data directory from another cluster: a copy of the running source (`now`), or a
 * base backup recovered with the source's WAL archive to a moment, a backup's end, or the end of the archive, then
 * promoted. The copy is built beside its final place and renamed in; a recovery in progress is marked by
 * recovery.signal, so a second call after a crash picks up where the first stopped. The source is only read.
 */
export class Restorer {
  readonly #pg: PostgresInstallation;
  readonly #storage: ClusterStorage;
  readonly #ports: PortAllocator;
  readonly #servers: ServerControl;
  readonly #provisioning: Provisioning;
  readonly #archive: WalArchive;
  readonly #backups: BaseBackups;

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
    this.#provisioning = options.provisioning;
    this.#archive = options.archive;
    this.#backups = options.backups;
  }

  async restore(cluster: DriverCluster, source: DriverCluster, target: RestoreTarget, ctx: DriverOperationContext) {
    const { files } = this.#storage;
    const pgdata = files.pgdata(cluster.id, 0);
    await ctx.step('Allocate directories and ports', () => this.#ports.allocate(cluster.id, cluster.spec.name, 1));
    const copied = existsSync(join(pgdata, 'PG_VERSION'));
    if (copied && !existsSync(join(pgdata, 'recovery.signal'))) return;
    await this.#storage.serverDirectory(files.instance(cluster.id, 0));
    if (target.type === 'now') {
      await ctx.step(`Copy ${source.spec.name} as it is now`, () => this.#copyRunning(source, pgdata));
      return;
    }
    const recovery = recoverySettings(target, this.#archive.restoreCommand(source.id));
    if (!copied) {
      const backup = await this.#chooseBackup(source, target);
      if ((await this.#servers.state(source.id, 0)).running) {
        await ctx.step(`Archive the current WAL of ${source.spec.name}`, () =>
          this.#archive.archiveCurrent(source.id, ctx.signal),
        );
      }
      await ctx.step(`Copy backup ${backup.id}`, () => this.#copyBackup(source.id, backup.id, pgdata));
    }
    await this.#archive.ensureDirectory(cluster.id);
    await ctx.step(`Recover to ${describe(target)}`, async () => {
      const settings = { ...settingsForSize(cluster.cu), ...this.#archive.settings(cluster.id), ...recovery };
      try {
        await this.#servers.ensure(cluster.id, 0, settings);
        await this.#waitForPromotion(cluster.id, ctx.signal);
      } catch (error) {
        throw (await this.#recoveryFailure(cluster.id)) ?? error;
      }
    });
  }

  /** A plain copy of the running source's primary, as an independent primary: no standby settings. */
  async #copyRunning(source: DriverCluster, pgdata: string) {
    if (!(await this.#servers.state(source.id, 0)).running) {
      throw new Error(`${source.spec.name} is not running; a copy of it as it is now needs it running`);
    }
    const meta = (await this.#storage.readMeta(source.id))!;
    const copying = await scratchSibling(pgdata);
    await run(
      this.#pg.bin('pg_basebackup'),
      ['-D', copying, '-h', this.#storage.files.socketDirectory(source.id, 0), '-p', String(meta.ports[0]), '-U', SUPERUSER,
        '-X', 'stream', '--checkpoint=fast'],
      { identity: this.#storage.identity },
    );
    await rm(join(copying, 'standby.signal'), { force: true });
    await rename(copying, pgdata);
  }

  /** The newest completed backup that can reach the target. */
  async #chooseBackup(source: DriverCluster, target: RestoreTarget): Promise<DriverBackup> {
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

  async #copyBackup(sourceId: string, backupId: string, pgdata: string) {
    const copying = await scratchSibling(pgdata);
    await run('cp', ['-a', this.#backups.dataOf(sourceId, backupId), copying], { identity: this.#storage.identity });
    const signal = join(copying, 'recovery.signal');
    await writeFile(signal, '', { mode: 0o600 });
    if (this.#storage.identity) await chown(signal, this.#storage.identity.uid, this.#storage.identity.gid);
    await rename(copying, pgdata);
  }

  /** Recovery ends with promotion at the target: recovery.signal goes and the server leaves recovery. */
  async #waitForPromotion(id: string, signal: AbortSignal) {
    const deadline = Date.now() + PROMOTION_TIMEOUT_MS;
    for (;;) {
      const inRecovery = await this.#provisioning
        .withSuperuser(id, 'postgres', async client => (await client.query('SELECT pg_is_in_recovery() AS r')).rows[0].r)
        .catch(() => undefined);
      if (inRecovery === false) return;
      if (!(await this.#servers.state(id, 0)).running) throw new Error('The server stopped during recovery');
      if (Date.now() > deadline) throw new Error(`Recovery did not finish within ${PROMOTION_TIMEOUT_MS / 60_000} minutes`);
      signal.throwIfAborted();
      await new Promise(r => setTimeout(r, 100));
    }
  }

  /** What the server said when recovery failed (it names the target it could not reach), from its log. */
  async #recoveryFailure(id: string): Promise<Error | undefined> {
    const log = this.#storage.files.log(id, 0);
    if (!existsSync(log)) return undefined;
    const fatal = (await readFile(log, 'utf8')).split('\n').reverse().find(line => /FATAL:/.test(line));
    return fatal ? new Error(`Recovery failed: ${fatal.replace(/^.*FATAL:\s*/, '')}`) : undefined;
  }
}

/** recovery_target_* settings for the target, with the source's archive as the WAL source. */
function recoverySettings(target: Exclude<RestoreTarget, { type: 'now' }>, restoreCommand: string): Record<string, string> {
  return {
    restore_command: restoreCommand,
    recovery_target_timeline: "'latest'",
    ...(target.type === 'time'
      ? { recovery_target_time: quoteSetting(postgresTimestamp(target.time)), recovery_target_action: "'promote'" }
      : {}),
    ...(target.type === 'backup' ? { recovery_target: "'immediate'", recovery_target_action: "'promote'" } : {}),
  };
}

/** recovery_target_time takes PostgreSQL's own timestamp format, not ISO 8601's `T` and `Z`. */
function postgresTimestamp(iso: string): string {
  return new Date(iso).toISOString().replace('T', ' ').replace('Z', '+00');
}

function describe(target: RestoreTarget): string {
  if (target.type === 'time') return target.time;
  if (target.type === 'backup') return `the end of backup ${target.backupId}`;
  return 'the end of the archive';
}
