import { RecoveryWindow } from '@orochi/backstage-plugin-orochi-common';
import { DriverBackup } from '@orochi/backstage-plugin-orochi-node';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { z } from 'zod';
import { BaseBackups } from './baseBackups';
import { ClusterStorage } from './ClusterStorage';
import { PostgresInstallation } from './PostgresInstallation';
import { run } from './processes';
import { retentionPlan } from './retention';
import { ServerControl } from './ServerControl';
import { WalArchive } from './walArchive';

const deletedMarkerSchema = z.object({ deletedAt: z.string(), name: z.string(), installationId: z.string() });

/**
 * A cluster's kept history as a whole: its recovery window, retention, and what happens to it when the cluster
 * is deleted (kept, marked with the deletion time, and removed after the grace period by the purge).
 */
export class ClusterBackups {
  readonly #pg: PostgresInstallation;
  readonly #storage: ClusterStorage;
  readonly #servers: ServerControl;
  readonly #archive: WalArchive;
  readonly #backups: BaseBackups;

  constructor(options: {
    pg: PostgresInstallation;
    storage: ClusterStorage;
    servers: ServerControl;
    archive: WalArchive;
    backups: BaseBackups;
  }) {
    this.#pg = options.pg;
    this.#storage = options.storage;
    this.#servers = options.servers;
    this.#archive = options.archive;
    this.#backups = options.backups;
  }

  /**
   * From the oldest completed backup to now while the primary runs and archives (a restore archives the current
   * WAL first), or to the newest archived WAL of a stopped cluster: its clean shutdown archived all it wrote, and a
   * restore to a moment after its last transaction recovers to the archive's end.
   */
  async recoveryWindow(id: string): Promise<RecoveryWindow> {
    const completed = (await this.#backups.list(id)).filter(b => b.state === 'completed' && b.recoverableFrom);
    if (!completed.length) return {};
    const earliest = completed.map(b => b.recoverableFrom!).sort()[0];
    const archiving = (await this.#servers.state(id, 0)).running && (await this.#archive.isArchiving(id));
    const lastArchived = archiving ? new Date() : await this.#archive.lastArchivedAt(id);
    const latest = [earliest, ...(lastArchived ? [lastArchived.toISOString()] : [])].sort().at(-1)!;
    return { earliest, latest };
  }

  /** Removes backups outside the window but the one that reaches its start, and the WAL older than what is kept. */
  async applyRetention(id: string, retentionDays: number, now = Date.now()): Promise<string[]> {
    const plan = retentionPlan(await this.#backups.list(id), now, retentionDays);
    for (const backup of plan.remove) await this.#backups.remove(id, backup.id);
    if (plan.keepWalFrom && existsSync(this.#archive.directory(id))) {
      // pg_archivecleanup removes the segments before the named one and keeps timeline history files.
      await run(this.#pg.bin('pg_archivecleanup'), [this.#archive.directory(id), plan.keepWalFrom], {
        identity: this.#storage.identity,
      });
    }
    return plan.remove.map(b => b.id);
  }

  /**
   * Marks a deleted cluster's backups with the time, so the purge can remove them after the grace period. Written
   * before the cluster's directory goes (a crash in between leaves no unmarked backups to leak), and kept once the
   * directory is gone, so a repeated delete does not extend the grace.
   */
  async markDeleted(id: string, name: string) {
    const { files } = this.#storage;
    if (!existsSync(files.backups(id))) return;
    if (existsSync(files.deletedMarker(id)) && !existsSync(files.cluster(id))) return;
    const marker = { deletedAt: new Date().toISOString(), name, installationId: this.#storage.installationId };
    await this.#storage.writeAtomically(this.#storage.files.deletedMarker(id), JSON.stringify(marker), 0o644, false);
  }

  /** Removes this installation's deleted clusters' backups deleted before `deletedBefore`; answers their ids. */
  async purgeDeleted(deletedBefore: Date): Promise<string[]> {
    const { files, installationId } = this.#storage;
    if (!existsSync(files.backupsDirectory)) return [];
    const purged: string[] = [];
    for (const id of await readdir(files.backupsDirectory)) {
      // A cluster that exists again under this id (never, with uuids) keeps its backups.
      if (!existsSync(files.deletedMarker(id)) || existsSync(files.cluster(id))) continue;
      // A marker this installation cannot read is left alone, as another installation's is.
      const marker = deletedMarkerSchema.safeParse(parseJson(await readFile(files.deletedMarker(id), 'utf8')));
      if (!marker.success || marker.data.installationId !== installationId) continue;
      if (Date.parse(marker.data.deletedAt) >= deletedBefore.getTime()) continue;
      await rm(files.backups(id), { recursive: true, force: true });
      purged.push(id);
    }
    return purged;
  }

  list(id: string): Promise<DriverBackup[]> {
    return this.#backups.list(id);
  }
}

function parseJson(content: string): unknown {
  try {
    return JSON.parse(content);
  } catch {
    return undefined;
  }
}
