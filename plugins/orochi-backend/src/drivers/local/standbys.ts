import { existsSync } from 'node:fs';
import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { ClusterStorage, scratchSibling } from './ClusterStorage';
import { SUPERUSER } from './constants';
import { PortAllocator } from './ports';
import { PostgresInstallation } from './PostgresInstallation';
import { run } from './processes';
import { quoteSetting, ServerControl } from './ServerControl';

/**
 * Streaming standbys: instances 1.. are copies of the primary made with `pg_basebackup -R`, streaming from it
 * over its Unix socket. Where they find the primary is one of Orochi's settings (`primary_conninfo` in
 * orochi.conf), written from the primary's current port each time the standbys are converged, so they follow
 * the primary when it moves to another port (when it wakes and its old port is taken).
 */
export class Standbys {
  readonly #pg: PostgresInstallation;
  readonly #storage: ClusterStorage;
  readonly #ports: PortAllocator;
  readonly #servers: ServerControl;

  constructor(options: {
    pg: PostgresInstallation;
    storage: ClusterStorage;
    ports: PortAllocator;
    servers: ServerControl;
  }) {
    this.#pg = options.pg;
    this.#storage = options.storage;
    this.#ports = options.ports;
    this.#servers = options.servers;
  }

  /** Makes `instances - 1` standbys stream from the running primary with `settings`, and removes any beyond. */
  async ensure(id: string, instances: number, settings: Record<string, string>) {
    const { files, identity } = this.#storage;
    const meta = await this.#ports.allocate(id, '', instances);
    const primary = { host: files.socketDirectory(id, 0), port: String(meta.ports[0]) };
    for (let index = 1; index < instances; index++) {
      const pgdata = files.pgdata(id, index);
      if (!existsSync(join(pgdata, 'PG_VERSION'))) {
        await this.#storage.serverDirectory(files.instance(id, index));
        const copying = await scratchSibling(pgdata);
        await run(
          this.#pg.bin('pg_basebackup'),
          ['-D', copying, '-h', primary.host, '-p', primary.port, '-U', SUPERUSER, '-X', 'stream', '-R', '--checkpoint=fast'],
          { identity },
        );
        await rename(copying, pgdata);
      }
      // `pg_basebackup -R` writes the primary's address into postgresql.auto.conf, which PostgreSQL reads after
      // orochi.conf and which would override it with the port the primary had when the standby was made.
      await dropAutoConninfo(this.#storage, pgdata);
      await this.#servers.ensure(id, index, {
        ...settings,
        primary_conninfo: quoteSetting(conninfo({ host: primary.host, port: primary.port, user: SUPERUSER })),
      });
    }
    for (const index of await this.#storage.instanceIndexes(id)) {
      if (index >= instances) {
        await this.#servers.stop(id, index, 'fast');
        await this.#storage.removeInstance(id, index);
      }
    }
  }
}

/** Removes primary_conninfo from postgresql.auto.conf, where `pg_basebackup -R` puts it. */
export async function dropAutoConninfo(storage: ClusterStorage, pgdata: string) {
  const path = join(pgdata, 'postgresql.auto.conf');
  if (!existsSync(path)) return;
  const lines = (await readFile(path, 'utf8')).split('\n');
  const kept = lines.filter(line => !/^\s*primary_conninfo\s*=/.test(line));
  if (kept.length !== lines.length) {
    await storage.writeAtomically(path, kept.join('\n'), 0o600, true);
  }
}

/** A libpq connection string; values with spaces, quotes or backslashes are quoted. */
function conninfo(parameters: Record<string, string>): string {
  return Object.entries(parameters)
    .map(([key, value]) =>
      /^[^\s'\\]+$/.test(value) ? `${key}=${value}` : `${key}='${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`,
    )
    .join(' ');
}
