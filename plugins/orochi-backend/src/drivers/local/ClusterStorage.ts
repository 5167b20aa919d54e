import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ClusterFiles } from './ClusterFiles';
import { ServerIdentity } from './processes';

/** What the driver records about a cluster, in its metadata file. */
export interface ClusterMeta {
  id: string;
  name: string;
  /**
   * The Orochi installation that created the cluster. Absent in clusters made before installations were
   * recorded; the installation that next applies such a cluster claims it.
   */
  installationId?: string;
  /** Port of each instance; index 0 is the primary. */
  ports: number[];
  /**
   * The compute units the servers run with, which their CPU limit follows, also for servers adopted after a
   * backend restart. Absent in clusters not applied since CPU limits came.
   */
  cu?: number;
}

/**
 * Whose a cluster directory is: `absent` (no directory), `unclaimed` (no metadata, or metadata naming no
 * installation), `ours`, or `foreign` (another installation's).
 */
export type Ownership = 'absent' | 'unclaimed' | 'ours' | 'foreign';

/** The driver's files on disk: metadata, directories the server user owns, instance data directories. */
export class ClusterStorage {
  constructor(
    readonly files: ClusterFiles,
    readonly identity: ServerIdentity | undefined,
    readonly installationId: string,
  ) {}

  async readMeta(id: string): Promise<ClusterMeta | undefined> {
    try {
      return JSON.parse(await readFile(this.files.meta(id), 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async writeMeta(meta: ClusterMeta) {
    await this.writeAtomically(this.files.meta(meta.id), JSON.stringify(meta, null, 2), 0o644, false);
  }

  /** Records the compute units of a cluster whose metadata exists (its ports are allocated). */
  async recordCu(id: string, cu: number) {
    const meta = await this.readMeta(id);
    if (meta && meta.cu !== cu) await this.writeMeta({ ...meta, cu });
  }

  async ownership(id: string): Promise<{ ownership: Ownership; meta?: ClusterMeta }> {
    if (!existsSync(this.files.cluster(id))) return { ownership: 'absent' };
    const meta = await this.readMeta(id);
    if (!meta?.installationId) return { ownership: 'unclaimed', meta };
    return { ownership: meta.installationId === this.installationId ? 'ours' : 'foreign', meta };
  }

  /** Throws for a cluster another installation created: this one must not change or remove it. */
  async assertNotForeign(id: string) {
    const { ownership, meta } = await this.ownership(id);
    if (ownership === 'foreign') {
      throw new Error(
        `Local cluster ${id} belongs to another installation (${meta!.installationId}), not to ${this.installationId}`,
      );
    }
  }

  /** Every cluster directory, whichever installation it belongs to (ports are shared by all of them). */
  async allClusterIds(): Promise<string[]> {
    if (!existsSync(this.files.clustersDirectory)) return [];
    return readdir(this.files.clustersDirectory);
  }

  /** Clusters whose metadata names this installation. */
  async ownClusterIds(): Promise<string[]> {
    const own: string[] = [];
    for (const id of await this.allClusterIds()) {
      if ((await this.ownership(id)).ownership === 'ours') own.push(id);
    }
    return own;
  }

  /** Indexes of the instances that have an initialised data directory, in order. */
  async instanceIndexes(id: string): Promise<number[]> {
    const directory = join(this.files.cluster(id), 'instances');
    if (!existsSync(directory)) return [];
    return (await readdir(directory))
      .map(Number)
      .filter(index => Number.isInteger(index) && existsSync(join(this.files.pgdata(id, index), 'PG_VERSION')))
      .sort((a, b) => a - b);
  }

  async writeAtomically(path: string, content: string, mode: number, ownedByServer: boolean) {
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, content, { mode });
    if (ownedByServer && this.identity) {
      await chown(temporary, this.identity.uid, this.identity.gid);
    }
    await rename(temporary, path);
  }

  /** A directory the server user owns (when servers run as another user). */
  async serverDirectory(path: string) {
    // Parents stay traversable (but not listable) for the server user; the directory itself is its own.
    await mkdir(dirname(path), { recursive: true, mode: 0o711 });
    await mkdir(path, { recursive: true, mode: 0o700 });
    if (this.identity) await chown(path, this.identity.uid, this.identity.gid);
  }

  async removeInstance(id: string, index: number) {
    await rm(this.files.instance(id, index), { recursive: true, force: true });
    await rm(this.files.socketDirectory(id, index), { recursive: true, force: true });
  }

  async removeCluster(id: string) {
    for (const index of await this.instanceIndexes(id)) {
      await rm(this.files.socketDirectory(id, index), { recursive: true, force: true });
    }
    await rm(this.files.cluster(id), { recursive: true, force: true });
  }
}

/**
 * A fresh path next to `path` to build into before an atomic rename, after removing what earlier attempts left.
 * Each attempt gets its own name: a process of a crashed attempt (initdb, cp, pg_basebackup) may still be
 * writing to its own.
 */
export async function scratchSibling(path: string): Promise<string> {
  const directory = dirname(path);
  const prefix = `${basename(path)}.scratch-`;
  for (const entry of existsSync(directory) ? await readdir(directory) : []) {
    if (entry.startsWith(prefix)) await rm(join(directory, entry), { recursive: true, force: true });
  }
  return join(directory, `${prefix}${randomUUID()}`);
}
