import { existsSync } from 'node:fs';
import { appendFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ClusterStorage, scratchSibling } from './ClusterStorage';
import { SUPERUSER } from './constants';
import { Mutex } from './mutex';
import { PostgresInstallation } from './PostgresInstallation';
import { run } from './processes';

/**
 * Primaries' data directories, copied from an initialised template (one per PostgreSQL version, made once), so
 * creating a cluster costs a copy, not an initdb.
 */
export class DataDirectories {
  readonly #pg: PostgresInstallation;
  readonly #storage: ClusterStorage;
  readonly #templating = new Mutex();

  constructor(pg: PostgresInstallation, storage: ClusterStorage) {
    this.#pg = pg;
    this.#storage = storage;
  }

  async ensurePrimary(id: string) {
    const { files, identity } = this.#storage;
    const pgdata = files.pgdata(id, 0);
    if (existsSync(join(pgdata, 'PG_VERSION'))) return;
    const template = await this.#ensureTemplate();
    await this.#storage.serverDirectory(files.instance(id, 0));
    const copying = await scratchSibling(pgdata);
    await run('cp', ['-a', template, copying], { identity });
    await rename(copying, pgdata);
  }

  async #ensureTemplate(): Promise<string> {
    const template = this.#storage.files.template(this.#pg.majorVersion);
    return this.#templating.run(async () => {
      if (existsSync(join(template, 'PG_VERSION'))) return template;
      const building = await scratchSibling(template);
      await this.#storage.serverDirectory(dirname(template));
      await run(
        this.#pg.bin('initdb'),
        ['-D', building, `--username=${SUPERUSER}`, '--auth-local=trust', '--auth-host=scram-sha-256', '--encoding=UTF8', '--no-locale'],
        { identity: this.#storage.identity },
      );
      await appendFile(join(building, 'postgresql.conf'), "\ninclude_if_exists = 'orochi.conf'\n");
      await rename(building, template);
      return template;
    });
  }
}
