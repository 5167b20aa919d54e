import { generatePassword } from '@orochi/backstage-plugin-orochi-node';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Client } from 'pg';
import { ClusterStorage } from './ClusterStorage';
import { APP_DATABASE, APP_USER, MONITOR_APPLICATION_NAME, SUPERUSER } from './constants';
import { scramSha256Verifier } from './scram';

/**
 * What runs inside a cluster's primary: the application role with its generated password (set as a SCRAM
 * verifier, so the plain password never reaches the server), the application database, the orochi extension.
 */
export class Provisioning {
  readonly #storage: ClusterStorage;
  readonly #orochiExtension: boolean;

  constructor(storage: ClusterStorage, options: { orochiExtension: boolean }) {
    this.#storage = storage;
    this.#orochiExtension = options.orochiExtension;
  }

  /** The application role's password, from the file only the backend's user can read. */
  async password(id: string): Promise<string> {
    return JSON.parse(await readFile(this.#storage.files.credentials(id), 'utf8')).password;
  }

  /** Runs `fn` as the superuser on the primary, over its Unix socket. */
  async withSuperuser<T>(id: string, database: string, fn: (client: Client) => Promise<T>): Promise<T> {
    const meta = (await this.#storage.readMeta(id))!;
    const client = new Client({
      host: this.#storage.files.socketDirectory(id, 0),
      port: meta.ports[0],
      user: SUPERUSER,
      database,
      // Orochi's own sessions do not count as activity (metrics, idle detection).
      application_name: MONITOR_APPLICATION_NAME,
    });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }

  /** The application role (with a generated password, set as a SCRAM verifier) and database. */
  async ensureDatabase(id: string) {
    const { files } = this.#storage;
    if (!existsSync(files.credentials(id))) {
      await this.#storage.writeAtomically(
        files.credentials(id),
        JSON.stringify({ user: APP_USER, password: generatePassword() }),
        0o600,
        false,
      );
    }
    const verifier = scramSha256Verifier(await this.password(id));
    await this.withSuperuser(id, 'postgres', async client => {
      const role = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [APP_USER]);
      if (role.rowCount === 0) await client.query(`CREATE ROLE ${APP_USER} LOGIN`);
      await client.query(`ALTER ROLE ${APP_USER} WITH LOGIN PASSWORD '${verifier}'`);
      // Lets the owner see replication and activity of every session, as managed services do.
      await client.query(`GRANT pg_monitor TO ${APP_USER}`);
      const database = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [APP_DATABASE]);
      if (database.rowCount === 0) {
        await client.query(`CREATE DATABASE ${APP_DATABASE} OWNER ${APP_USER}`);
      }
    });
    if (this.#orochiExtension) {
      await this.withSuperuser(id, APP_DATABASE, client => client.query('CREATE EXTENSION IF NOT EXISTS orochi'));
    }
  }
}
