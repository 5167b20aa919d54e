import { BackupKind } from '@orochi/backstage-plugin-orochi-common';
import { DriverBackup, DriverOperationContext } from '@orochi/backstage-plugin-orochi-node';
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ClusterStorage, scratchSibling } from './ClusterStorage';
import { SUPERUSER } from './constants';
import { PostgresInstallation } from './PostgresInstallation';
import { run } from './processes';
import { ServerControl } from './ServerControl';
import { WalArchive } from './walArchive';

/** What backup.json records; written by the driver, checked when read. */
const backupRecordSchema = z.object({
  id: z.string(),
  kind: z.enum(['scheduled', 'manual']),
  state: z.enum(['running', 'completed', 'failed']),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  sizeBytes: z.number().int().optional(),
  wal: z.object({ start: z.string(), end: z.string().optional() }).optional(),
  recoverableFrom: z.string().optional(),
  error: z.string().optional(),
});

/**
 * Base backups of a cluster's primary: `pg_basebackup` in plain format with the WAL it needs streamed alongside
 * (`-X stream`, not `-X none`): each backup is consistent by itself, so a restore to the backup needs nothing
 * from the archive and survives a retention that cut the archive too eagerly; the archive supplies what came
 * after. Plain format makes a restore a copy. Each lives in `backups/<cluster>/base/<backup>/` with its record in
 * backup.json; the data is built in a scratch directory and renamed into place, so `data/` is always whole.
 */
export class BaseBackups {
  readonly #pg: PostgresInstallation;
  readonly #storage: ClusterStorage;
  readonly #servers: ServerControl;
  readonly #archive: WalArchive;

  constructor(options: { pg: PostgresInstallation; storage: ClusterStorage; servers: ServerControl; archive: WalArchive }) {
    this.#pg = options.pg;
    this.#storage = options.storage;
    this.#servers = options.servers;
    this.#archive = options.archive;
  }

  /** The data directory of a completed backup, to copy from. */
  dataOf(id: string, backupId: string) {
    return join(this.#storage.files.baseBackup(id, backupId), 'data');
  }

  async take(id: string, backup: { id: string; kind: BackupKind }, ctx: DriverOperationContext): Promise<DriverBackup> {
    const directory = this.#storage.files.baseBackup(id, backup.id);
    const earlier = await this.read(id, backup.id);
    if (earlier?.state === 'completed') return earlier;
    // A running or failed record is an attempt that did not finish (a crash, an error): it is taken again.
    if (!(await this.#servers.state(id, 0)).running) {
      throw new Error('The cluster is not running (hibernated or stopped); wake it to back it up');
    }
    if (!(await this.#archive.isArchiving(id))) {
      throw new Error('The cluster does not archive its WAL yet; apply it once to turn archiving on, then back it up');
    }
    await this.#storage.serverDirectory(directory);
    const startedAt = new Date().toISOString();
    await this.#write(id, { ...backup, state: 'running', startedAt });
    try {
      const data = this.dataOf(id, backup.id);
      await ctx.step('Take base backup', async () => {
        const copying = await scratchSibling(data);
        const meta = (await this.#storage.readMeta(id))!;
        await run(
          this.#pg.bin('pg_basebackup'),
          ['-D', copying, '-h', this.#storage.files.socketDirectory(id, 0), '-p', String(meta.ports[0]), '-U', SUPERUSER,
            '-X', 'stream', '--checkpoint=fast', `--label=orochi ${backup.id}`],
          { identity: this.#storage.identity },
        );
        await rm(data, { recursive: true, force: true });
        await rename(copying, data);
      });
      // Consistent once pg_basebackup has returned: the earliest moment this backup can restore to.
      const finishedAt = new Date().toISOString();
      const record: DriverBackup = {
        ...backup,
        state: 'completed',
        startedAt,
        finishedAt,
        recoverableFrom: finishedAt,
        sizeBytes: await directorySize(data),
        wal: await walRange(data),
      };
      await ctx.step('Record backup', () => this.#write(id, record));
      return record;
    } catch (error) {
      if (!ctx.signal.aborted) {
        await this.#write(id, { ...backup, state: 'failed', startedAt, error: (error as Error).message });
      }
      throw error;
    }
  }

  async read(id: string, backupId: string): Promise<DriverBackup | undefined> {
    const file = join(this.#storage.files.baseBackup(id, backupId), 'backup.json');
    if (!existsSync(file)) return undefined;
    try {
      return backupRecordSchema.parse(JSON.parse(await readFile(file, 'utf8')));
    } catch (error) {
      throw new Error(`The backup record ${file} is unreadable: ${(error as Error).message}`);
    }
  }

  /** The cluster's backups, newest first. */
  async list(id: string): Promise<DriverBackup[]> {
    const base = join(this.#storage.files.backups(id), 'base');
    if (!existsSync(base)) return [];
    const records = await Promise.all((await readdir(base)).map(backupId => this.read(id, backupId)));
    return records
      .filter((record): record is DriverBackup => record !== undefined)
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  async remove(id: string, backupId: string) {
    await rm(this.#storage.files.baseBackup(id, backupId), { recursive: true, force: true });
  }

  async #write(id: string, record: DriverBackup) {
    const file = join(this.#storage.files.baseBackup(id, record.id), 'backup.json');
    await this.#storage.writeAtomically(file, JSON.stringify(record, null, 2), 0o644, false);
  }
}

/** The WAL segments a backup starts and ends at, from the backup_label and the manifest pg_basebackup wrote. */
async function walRange(data: string): Promise<{ start: string; end?: string }> {
  const label = await readFile(join(data, 'backup_label'), 'utf8');
  const start = label.match(/^START WAL LOCATION: .* \(file ([0-9A-F]{24})\)$/m)?.[1];
  if (!start) throw new Error('The base backup has no START WAL LOCATION in its backup_label');
  const walFiles = existsSync(join(data, 'pg_wal'))
    ? (await readdir(join(data, 'pg_wal'))).filter(name => /^[0-9A-F]{24}$/.test(name)).sort()
    : [];
  return { start, ...(walFiles.length ? { end: walFiles[walFiles.length - 1] } : {}) };
}

async function directorySize(path: string): Promise<number> {
  const output = await run('du', ['-sb', path]);
  return Number(output.split(/\s/)[0]);
}
