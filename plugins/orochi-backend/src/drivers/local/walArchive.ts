import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ClusterStorage } from './ClusterStorage';
import { Provisioning } from './provisioning';
import { quoteSetting } from './ServerControl';

/** How often a quiet primary still hands its WAL to the archive, so its latest changes become restorable. */
const ARCHIVE_TIMEOUT_SECONDS = 60;

/**
 * Continuous WAL archiving of each cluster's primary into its own archive directory (outside the cluster's
 * directory, so it outlives a delete). The archive command never overwrites a segment: one already archived
 * with the same content counts as done (a retry after a crash between copy and acknowledgement), a different one
 * fails, so a second server can never clobber another's history. A segment is synced before it is renamed into
 * place: the server recycles its WAL once the command succeeds, so the archive's copy must survive a power loss.
 */
export class WalArchive {
  readonly #storage: ClusterStorage;
  readonly #provisioning: Provisioning;

  constructor(storage: ClusterStorage, provisioning: Provisioning) {
    this.#storage = storage;
    this.#provisioning = provisioning;
  }

  directory(id: string) {
    return this.#storage.files.walArchive(id);
  }

  async ensureDirectory(id: string) {
    await this.#storage.serverDirectory(this.#storage.files.backups(id));
    await this.#storage.serverDirectory(this.directory(id));
  }

  /** The primary's archiving settings for orochi.conf. */
  settings(id: string): Record<string, string> {
    const archive = this.directory(id);
    const target = `"${archive}/%f"`;
    const command = `if [ -f ${target} ]; then cmp -s "%p" ${target}; else cp "%p" "${archive}/%f.tmp" && sync "${archive}/%f.tmp" && mv "${archive}/%f.tmp" ${target}; fi`;
    return {
      archive_mode: 'on',
      archive_command: quoteSetting(command),
      archive_timeout: String(ARCHIVE_TIMEOUT_SECONDS),
    };
  }

  /**
   * Whether the primary's settings archive into this cluster's archive. A cluster made before archiving existed
   * gets it on its next apply; until then its backups could not be rolled forward.
   */
  async isArchiving(id: string): Promise<boolean> {
    const config = join(this.#storage.files.pgdata(id, 0), 'orochi.conf');
    if (!existsSync(config)) return false;
    const content = await readFile(config, 'utf8');
    return /^archive_mode = on$/m.test(content) && content.includes(`${this.directory(id)}/%f`);
  }

  /**
   * A restore_command that reads `sourceId`'s archive. cp fails on a missing file, which PostgreSQL takes as the
   * end of the archive (it asks for segments and history files beyond the end by design).
   */
  restoreCommand(sourceId: string): string {
    return quoteSetting(`cp "${this.directory(sourceId)}/%f" "%p"`);
  }

  /**
   * Makes everything the running primary has written so far restorable: switches to a new WAL segment and waits
   * until the switched one is in the archive (polling the server's position instead stalls for seconds).
   *
   * First it commits a transaction that only takes an xid: recovery to a time stops at the first commit after it,
   * and without one (a quiet cluster) it would reach the end of the archive and fail for a moment it does hold.
   */
  async archiveCurrent(id: string, signal: AbortSignal, timeoutMs = 120_000) {
    const segment = await this.#provisioning.withSuperuser(id, 'postgres', async client => {
      // pg_switch_wal answers the end of the segment it closed (or, with nothing written since the last switch,
      // the start of the current one); pg_walfile_name of a segment's end names that segment.
      await client.query('SELECT pg_current_xact_id()');
      const { rows } = await client.query('SELECT pg_walfile_name(pg_switch_wal()) AS segment');
      return rows[0].segment as string;
    });
    const deadline = Date.now() + timeoutMs;
    while (!existsSync(join(this.directory(id), segment))) {
      if (Date.now() > deadline) throw new Error(`WAL segment ${segment} was not archived within ${timeoutMs / 1000}s`);
      signal.throwIfAborted();
      await new Promise(r => setTimeout(r, 50));
    }
  }

  /** When the newest archived segment was written: how far a stopped cluster can be restored. */
  async lastArchivedAt(id: string): Promise<Date | undefined> {
    const directory = this.directory(id);
    if (!existsSync(directory)) return undefined;
    let latest: Date | undefined;
    for (const name of await readdir(directory)) {
      if (!/^[0-9A-F]{24}$/.test(name)) continue;
      const { mtime } = await stat(join(directory, name));
      if (!latest || mtime > latest) latest = mtime;
    }
    return latest;
  }
}
