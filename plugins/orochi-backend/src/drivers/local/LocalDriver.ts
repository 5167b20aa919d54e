import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ClusterCondition,
  ClusterEndpoint,
  CONDITION_OROCHI_EXTENSION,
  CONDITION_READY,
} from '@orochi/backstage-plugin-orochi-common';
import {
  ClusterCredentials,
  ClusterDriver,
  ClusterMetricsSample,
  ClusterObservation,
  generatePassword,
  needsRestart,
  settingsForSize,
  DriverCluster,
  DriverOperationContext,
} from '@orochi/backstage-plugin-orochi-node';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  appendFile,
  chown,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  writeFile,
} from 'node:fs/promises';
import { createServer } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { Client } from 'pg';
import { LocalDriverConfig } from '../../config';
import { ClusterFiles } from './ClusterFiles';
import { findPostgresInstallation, PostgresInstallation } from './PostgresInstallation';
import { isAlive, resolveServerIdentity, run, ServerIdentity } from './processes';
import { processUsage } from './processUsage';
import { scramSha256Verifier } from './scram';

/** The application database and role every cluster gets, as CloudNativePG names them. */
const APP_DATABASE = 'app';
const APP_USER = 'app';
const SUPERUSER = 'postgres';
const MONITOR_APPLICATION_NAME = 'orochi-monitor';

interface ClusterMeta {
  id: string;
  name: string;
  /** Port of each instance; index 0 is the primary. */
  ports: number[];
}

interface ServerState {
  running: boolean;
  ready: boolean;
  pid?: number;
}

/** Serialises async work on one key (port allocation, template creation). */
class Mutex {
  #tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

/**
 * The embedded driver: real PostgreSQL servers on the Backstage host. One data directory and port per instance;
 * instance 0 is the primary, the others are streaming standbys made with pg_basebackup. New clusters are copied
 * from an initialised template, so creating one costs a copy and a server start, not an initdb. Servers run in
 * their own process groups and outlive the backend; after a restart the driver finds them through the files.
 */
export class LocalDriver implements ClusterDriver {
  static async create(options: {
    config: LocalDriverConfig;
    logger: LoggerService;
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
    return new LocalDriver(config, installation, identity, new ClusterFiles(root));
  }

  readonly #config: LocalDriverConfig;
  readonly #pg: PostgresInstallation;
  readonly #identity?: ServerIdentity;
  readonly #files: ClusterFiles;
  readonly #allocation = new Mutex();
  readonly #templating = new Mutex();

  private constructor(
    config: LocalDriverConfig,
    installation: PostgresInstallation,
    identity: ServerIdentity | undefined,
    files: ClusterFiles,
  ) {
    this.#config = config;
    this.#pg = installation;
    this.#identity = identity;
    this.#files = files;
  }

  /** Where cluster files live (after any fallback for root); for tests and diagnostics. */
  get dataDirectory() {
    return this.#files.root;
  }

  async capabilities() {
    return { versions: [this.#pg.majorVersion], pooling: false };
  }

  async apply(cluster: DriverCluster, ctx: DriverOperationContext) {
    const { spec } = cluster;
    if (spec.version !== this.#pg.majorVersion) {
      throw new Error(
        `PostgreSQL ${spec.version} is not installed on this host; the local driver runs ${this.#pg.majorVersion}`,
      );
    }
    await ctx.step('Allocate directories and ports', () =>
      this.#ensureMeta(cluster.id, spec.name, spec.instances),
    );
    await ctx.step('Initialise data directory', () => this.#ensurePrimaryData(cluster.id));
    if (spec.hibernated) {
      await ctx.step('Stop servers', () => this.#stopAll(cluster.id, 'fast'));
      return;
    }
    const settings = settingsForSize(cluster.cu);
    await ctx.step('Start primary', () => this.#ensureServer(cluster.id, 0, settings));
    await ctx.step('Create application database', () => this.#ensureDatabase(cluster.id));
    const standbys = await this.#instanceIndexes(cluster.id);
    if (spec.instances > 1 || standbys.length > 1) {
      await ctx.step(`Converge to ${spec.instances - 1} streaming standbys`, () =>
        this.#ensureStandbys(cluster.id, spec.instances, settings),
      );
    }
  }

  async delete(cluster: DriverCluster, ctx: DriverOperationContext) {
    await ctx.step('Stop servers', () => this.#stopAll(cluster.id, 'immediate'));
    await ctx.step('Remove data', () => this.#removeFiles(cluster.id));
  }

  async deleteOrphan(id: string) {
    await this.#stopAll(id, 'immediate');
    await this.#removeFiles(id);
  }

  async observe(cluster: DriverCluster): Promise<ClusterObservation> {
    const meta = await this.#readMeta(cluster.id);
    const now = new Date().toISOString();
    const extension: ClusterCondition = this.#pg.hasOrochiExtension
      ? { type: CONDITION_OROCHI_EXTENSION, status: 'True', reason: 'Installed', lastTransitionTime: now }
      : {
          type: CONDITION_OROCHI_EXTENSION,
          status: 'False',
          reason: 'NotInstalled',
          message: 'The host has no orochi extension; the cluster runs plain PostgreSQL',
          lastTransitionTime: now,
        };
    if (!meta || !existsSync(this.#files.pgdata(cluster.id, 0))) {
      return {
        phase: 'missing',
        instances: 0,
        readyInstances: 0,
        endpoints: [],
        conditions: [
          { type: CONDITION_READY, status: 'False', reason: 'Missing', message: 'No data directory', lastTransitionTime: now },
          extension,
        ],
        message: 'The local driver has no data directory for this cluster',
      };
    }
    const indexes = await this.#instanceIndexes(cluster.id);
    const states = await Promise.all(indexes.map(i => this.#serverState(cluster.id, i)));
    const endpoints: ClusterEndpoint[] = [];
    indexes.forEach((index, i) => {
      if (states[i].ready) {
        endpoints.push({
          role: index === 0 ? 'primary' : 'replica',
          host: this.#config.host,
          port: meta.ports[index],
        });
      }
    });
    const primary = states[0];
    const readyInstances = states.filter(s => s.ready).length;
    let phase: ClusterObservation['phase'] = 'stopped';
    if (primary.ready) phase = 'running';
    else if (primary.running) phase = 'starting';
    const reasons = { running: 'PrimaryReady', starting: 'Starting', stopped: 'Stopped' } as const;
    return {
      phase,
      instances: indexes.length,
      readyInstances,
      endpoints,
      conditions: [
        {
          type: CONDITION_READY,
          status: primary.ready ? 'True' : 'False',
          reason: reasons[phase],
          message: `${readyInstances} of ${indexes.length} instances accept connections`,
          lastTransitionTime: now,
        },
        extension,
      ],
    };
  }

  async readCredentials(cluster: DriverCluster): Promise<ClusterCredentials> {
    const meta = await this.#readMeta(cluster.id);
    if (!meta) throw new Error(`No local cluster ${cluster.id}`);
    return {
      host: this.#config.host,
      port: meta.ports[0],
      database: APP_DATABASE,
      user: APP_USER,
      password: await this.#password(cluster.id),
    };
  }

  async readMetrics(cluster: DriverCluster): Promise<ClusterMetricsSample | undefined> {
    const primary = await this.#serverState(cluster.id, 0);
    if (!primary.ready || !primary.pid) return undefined;
    const row = await this.#withSuperuser(cluster.id, 'postgres', async client => {
      const { rows } = await client.query(
        `SELECT
           (SELECT count(*) FROM pg_stat_activity
             WHERE backend_type = 'client backend' AND application_name <> $1)::int AS connections,
           (SELECT coalesce(sum(xact_commit + xact_rollback), 0) FROM pg_stat_database)::bigint AS transactions,
           (SELECT sum(pg_database_size(datname)) FROM pg_database)::bigint AS storage`,
        [MONITOR_APPLICATION_NAME],
      );
      return rows[0];
    });
    const usage = await processUsage(primary.pid);
    return {
      connections: Number(row.connections),
      transactionsTotal: Number(row.transactions),
      cpuSecondsTotal: usage.cpuSeconds,
      memoryBytes: usage.memoryBytes,
      storageBytes: Number(row.storage),
    };
  }

  async listClusterIds() {
    if (!existsSync(this.#files.clustersDirectory)) return [];
    return readdir(this.#files.clustersDirectory);
  }

  // --- files -------------------------------------------------------------------------------------------------

  async #readMeta(id: string): Promise<ClusterMeta | undefined> {
    try {
      return JSON.parse(await readFile(this.#files.meta(id), 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async #writeAtomically(path: string, content: string, mode: number, ownedByServer: boolean) {
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, content, { mode });
    if (ownedByServer && this.#identity) {
      await chown(temporary, this.#identity.uid, this.#identity.gid);
    }
    await rename(temporary, path);
  }

  /** A directory the server user owns (when servers run as another user). */
  async #serverDirectory(path: string) {
    // Parents stay traversable (but not listable) for the server user; the directory itself is its own.
    await mkdir(dirname(path), { recursive: true, mode: 0o711 });
    await mkdir(path, { recursive: true, mode: 0o700 });
    if (this.#identity) await chown(path, this.#identity.uid, this.#identity.gid);
  }

  async #ensureMeta(id: string, name: string, instances: number): Promise<ClusterMeta> {
    return this.#allocation.run(async () => {
      const existing = await this.#readMeta(id);
      const meta: ClusterMeta = existing ?? { id, name, ports: [] };
      if (meta.ports.length >= instances) return meta;
      await mkdir(this.#files.cluster(id), { recursive: true, mode: 0o711 });
      const used = await this.#usedPorts();
      for (let index = meta.ports.length; index < instances; index++) {
        const port = await this.#freePort(used);
        used.add(port);
        meta.ports.push(port);
      }
      await this.#writeAtomically(this.#files.meta(id), JSON.stringify(meta, null, 2), 0o644, false);
      return meta;
    });
  }

  async #usedPorts(): Promise<Set<number>> {
    const used = new Set<number>();
    for (const id of await this.listClusterIds()) {
      (await this.#readMeta(id))?.ports.forEach(port => used.add(port));
    }
    return used;
  }

  async #freePort(used: Set<number>): Promise<number> {
    const { from, to } = this.#config.portRange;
    for (let port = from; port <= to; port++) {
      if (!used.has(port) && (await canListen(port))) return port;
    }
    throw new Error(`No free port left in orochi.local.portRange ${from}-${to}`);
  }

  async #removeFiles(id: string) {
    for (const index of await this.#instanceIndexes(id)) {
      await rm(this.#files.socketDirectory(id, index), { recursive: true, force: true });
    }
    await rm(this.#files.cluster(id), { recursive: true, force: true });
  }

  async #password(id: string): Promise<string> {
    return JSON.parse(await readFile(this.#files.credentials(id), 'utf8')).password;
  }

  // --- servers -----------------------------------------------------------------------------------------------

  /** An initialised data directory per PostgreSQL version, made once and copied for every new cluster. */
  async #ensureTemplate(): Promise<string> {
    const template = this.#files.template(this.#pg.majorVersion);
    return this.#templating.run(async () => {
      if (existsSync(join(template, 'PG_VERSION'))) return template;
      const building = await scratchSibling(template);
      await this.#serverDirectory(dirname(template));
      await run(
        this.#pg.bin('initdb'),
        ['-D', building, `--username=${SUPERUSER}`, '--auth-local=trust', '--auth-host=scram-sha-256', '--encoding=UTF8', '--no-locale'],
        { identity: this.#identity },
      );
      await appendFile(join(building, 'postgresql.conf'), "\ninclude_if_exists = 'orochi.conf'\n");
      await rename(building, template);
      return template;
    });
  }

  async #ensurePrimaryData(id: string) {
    const pgdata = this.#files.pgdata(id, 0);
    if (existsSync(join(pgdata, 'PG_VERSION'))) return;
    const template = await this.#ensureTemplate();
    await this.#serverDirectory(this.#files.instance(id, 0));
    const copying = await scratchSibling(pgdata);
    await run('cp', ['-a', template, copying], { identity: this.#identity });
    await rename(copying, pgdata);
  }

  async #instanceIndexes(id: string): Promise<number[]> {
    const directory = join(this.#files.cluster(id), 'instances');
    if (!existsSync(directory)) return [];
    return (await readdir(directory))
      .map(Number)
      .filter(index => Number.isInteger(index) && existsSync(join(this.#files.pgdata(id, index), 'PG_VERSION')))
      .sort((a, b) => a - b);
  }

  async #serverState(id: string, index: number): Promise<ServerState> {
    try {
      const lines = (await readFile(join(this.#files.pgdata(id, index), 'postmaster.pid'), 'utf8')).split('\n');
      const pid = Number(lines[0]);
      const running = pid > 0 && (await isAlive(pid));
      return { running, ready: running && lines[7]?.trim() === 'ready', pid: running ? pid : undefined };
    } catch {
      return { running: false, ready: false };
    }
  }

  /**
   * Another program may have taken an instance's port since it was allocated (the servers were stopped); such
   * an instance moves to a free port before it starts.
   */
  async #portForStart(id: string, index: number): Promise<ClusterMeta> {
    return this.#allocation.run(async () => {
      const meta = (await this.#readMeta(id))!;
      if (await canListen(meta.ports[index])) return meta;
      const used = await this.#usedPorts();
      meta.ports[index] = await this.#freePort(used);
      await this.#writeAtomically(this.#files.meta(id), JSON.stringify(meta, null, 2), 0o644, false);
      return meta;
    });
  }

  /** Writes the instance's settings and makes the server run with them: start, reload or restart as needed. */
  async #ensureServer(id: string, index: number, settings: Record<string, string>) {
    const running = (await this.#serverState(id, index)).running;
    const meta = running ? (await this.#readMeta(id))! : await this.#portForStart(id, index);
    const pgdata = this.#files.pgdata(id, index);
    const socketDirectory = this.#files.socketDirectory(id, index);
    await this.#serverDirectory(socketDirectory);
    const configPath = join(pgdata, 'orochi.conf');
    const previous = existsSync(configPath) ? parseSettings(await readFile(configPath, 'utf8')) : {};
    const wanted: Record<string, string> = {
      port: String(meta.ports[index]),
      listen_addresses: `'${this.#config.listenAddress}'`,
      unix_socket_directories: `'${socketDirectory}'`,
      unix_socket_permissions: '0700',
      wal_level: 'replica',
      max_wal_senders: '10',
      hot_standby: 'on',
      password_encryption: 'scram-sha-256',
      ...(this.#pg.hasOrochiExtension ? { shared_preload_libraries: "'orochi'" } : {}),
      ...settings,
    };
    const changed = JSON.stringify(previous) !== JSON.stringify(wanted);
    if (changed) {
      const content = Object.entries(wanted)
        .map(([key, value]) => `${key} = ${value}`)
        .join('\n');
      await this.#writeAtomically(configPath, `# Written by Orochi's local driver\n${content}\n`, 0o600, true);
    }
    const pgCtl = (...args: string[]) =>
      run(this.#pg.bin('pg_ctl'), ['-D', pgdata, ...args], { identity: this.#identity, cwd: this.#files.instance(id, index) });
    const log = this.#files.log(id, index);
    if (!running) {
      await pgCtl('-l', log, '-w', '-t', '120', 'start');
    } else if (changed && needsRestart(previous, wanted)) {
      await pgCtl('-l', log, '-m', 'fast', '-w', '-t', '120', 'restart');
    } else if (changed) {
      await pgCtl('reload');
    }
  }

  async #stopServer(id: string, index: number, mode: 'fast' | 'immediate') {
    if (!(await this.#serverState(id, index)).running) return;
    await run(this.#pg.bin('pg_ctl'), ['-D', this.#files.pgdata(id, index), '-m', mode, '-w', '-t', '120', 'stop'], {
      identity: this.#identity,
    });
  }

  /** Standbys first, so none of them loses its primary while still streaming. */
  async #stopAll(id: string, mode: 'fast' | 'immediate') {
    const indexes = await this.#instanceIndexes(id);
    for (const index of indexes.reverse()) {
      await this.#stopServer(id, index, mode);
    }
  }

  async #withSuperuser<T>(id: string, database: string, fn: (client: Client) => Promise<T>) {
    const meta = (await this.#readMeta(id))!;
    const client = new Client({
      host: this.#files.socketDirectory(id, 0),
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
  async #ensureDatabase(id: string) {
    if (!existsSync(this.#files.credentials(id))) {
      await this.#writeAtomically(
        this.#files.credentials(id),
        JSON.stringify({ user: APP_USER, password: generatePassword() }),
        0o600,
        false,
      );
    }
    const verifier = scramSha256Verifier(await this.#password(id));
    await this.#withSuperuser(id, 'postgres', async client => {
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
    if (this.#pg.hasOrochiExtension) {
      await this.#withSuperuser(id, APP_DATABASE, client =>
        client.query('CREATE EXTENSION IF NOT EXISTS orochi'),
      );
    }
  }

  async #ensureStandbys(id: string, instances: number, settings: Record<string, string>) {
    const meta = await this.#ensureMeta(id, '', instances);
    for (let index = 1; index < instances; index++) {
      const pgdata = this.#files.pgdata(id, index);
      if (!existsSync(join(pgdata, 'PG_VERSION'))) {
        await this.#serverDirectory(this.#files.instance(id, index));
        const copying = await scratchSibling(pgdata);
        await run(
          this.#pg.bin('pg_basebackup'),
          ['-D', copying, '-h', this.#files.socketDirectory(id, 0), '-p', String(meta.ports[0]), '-U', SUPERUSER, '-X', 'stream', '-R', '--checkpoint=fast'],
          { identity: this.#identity },
        );
        await rename(copying, pgdata);
      }
      await this.#ensureServer(id, index, settings);
    }
    for (const index of await this.#instanceIndexes(id)) {
      if (index >= instances) {
        await this.#stopServer(id, index, 'fast');
        await rm(this.#files.instance(id, index), { recursive: true, force: true });
        await rm(this.#files.socketDirectory(id, index), { recursive: true, force: true });
      }
    }
  }
}

/**
 * A fresh path next to `path` to build into before an atomic rename, after removing what earlier attempts left.
 * Each attempt gets its own name: a process of a crashed attempt (initdb, cp, pg_basebackup) may still be
 * writing to its own.
 */
async function scratchSibling(path: string): Promise<string> {
  const directory = dirname(path);
  const prefix = `${basename(path)}.scratch-`;
  for (const entry of existsSync(directory) ? await readdir(directory) : []) {
    if (entry.startsWith(prefix)) await rm(join(directory, entry), { recursive: true, force: true });
  }
  return join(directory, `${prefix}${randomUUID()}`);
}

function parseSettings(content: string): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const line of content.split('\n')) {
    const match = line.match(/^(\w+) = (.*)$/);
    if (match) settings[match[1]] = match[2];
  }
  return settings;
}

function canListen(port: number): Promise<boolean> {
  return new Promise(resolvePromise => {
    const server = createServer();
    server.once('error', () => resolvePromise(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolvePromise(true)));
  });
}

/**
 * A backend running as root runs servers as another user, who must be able to reach the data directory. When a
 * parent directory shuts that user out (a home directory, say), cluster files go under /var/lib/orochi instead.
 */
async function reachableRoot(
  configured: string,
  identity: ServerIdentity | undefined,
  logger: LoggerService,
): Promise<string> {
  if (configured.length > ClusterFiles.maxRootLength) {
    throw new Error(
      `orochi.local.dataDirectory ${configured} is too long for PostgreSQL's socket paths; use at most ${ClusterFiles.maxRootLength} characters`,
    );
  }
  await mkdir(configured, { recursive: true, mode: 0o711 });
  if (!identity) return configured;
  try {
    await run('test', ['-x', configured], { identity });
    return configured;
  } catch {
    const fallback = join('/var/lib/orochi', createHash('sha256').update(configured).digest('hex').slice(0, 12));
    await mkdir(fallback, { recursive: true, mode: 0o711 });
    logger.warn(
      `The server user ${identity.name} cannot reach ${configured} (a parent directory is closed to it); ` +
        `cluster files go to ${fallback} instead. Set orochi.local.dataDirectory to a reachable directory to choose.`,
    );
    return fallback;
  }
}
