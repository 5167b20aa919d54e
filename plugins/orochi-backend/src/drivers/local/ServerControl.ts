import { needsRestart } from '@orochi/backstage-plugin-orochi-node';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClusterStorage } from './ClusterStorage';
import { SUPERUSER } from './constants';
import { CpuLimiter } from './cpuLimits';
import { isPostmasterOf, readPostmasterPid } from './postmaster';
import { PortAllocator } from './ports';
import { PostgresInstallation } from './PostgresInstallation';
import { run } from './processes';

/** How long a server may take to start (pg_ctl's `-t`, and the wait for one found still starting). */
const START_TIMEOUT_SECONDS = 120;

export interface ServerState {
  running: boolean;
  ready: boolean;
  pid?: number;
}

/**
 * Starts, stops and reconfigures one instance's server with pg_ctl, and tells whether it runs from its
 * postmaster.pid. Orochi's settings live in `orochi.conf`, which the data directory's postgresql.conf includes.
 * A running server is kept to its cluster's CPUs, which change in place, without a restart.
 */
export class ServerControl {
  readonly #pg: PostgresInstallation;
  readonly #storage: ClusterStorage;
  readonly #ports: PortAllocator;
  readonly #listenAddress: string;
  readonly #cpu: CpuLimiter;

  constructor(options: {
    pg: PostgresInstallation;
    storage: ClusterStorage;
    ports: PortAllocator;
    listenAddress: string;
    cpu: CpuLimiter;
  }) {
    this.#pg = options.pg;
    this.#storage = options.storage;
    this.#ports = options.ports;
    this.#listenAddress = options.listenAddress;
    this.#cpu = options.cpu;
  }

  /** Whether the instance's server runs: its postmaster.pid names a live PostgreSQL server of this data directory. */
  async state(id: string, index: number): Promise<ServerState> {
    const pgdata = this.#storage.files.pgdata(id, index);
    const file = await readPostmasterPid(pgdata);
    if (!file || !(await isPostmasterOf(file.pid, pgdata))) return { running: false, ready: false };
    return { running: true, ready: file.status === 'ready', pid: file.pid };
  }

  /**
   * Writes the instance's settings and makes the server run with them: start, reload or restart as needed.
   * `settings` come last, so they override the driver's own.
   */
  async ensure(id: string, index: number, settings: Record<string, string>) {
    const { files } = this.#storage;
    const running = (await this.state(id, index)).running;
    const meta = running ? (await this.#storage.readMeta(id))! : await this.#ports.portForStart(id, index);
    const pgdata = files.pgdata(id, index);
    const socketDirectory = files.socketDirectory(id, index);
    await this.#storage.serverDirectory(socketDirectory);
    const configPath = join(pgdata, 'orochi.conf');
    const previous = existsSync(configPath) ? parseSettings(await readFile(configPath, 'utf8')) : {};
    const wanted: Record<string, string> = {
      port: String(meta.ports[index]),
      // Clients reach a primary through the connection proxy, which listens on its port; standbys listen themselves.
      listen_addresses: index === 0 ? "''" : quoteSetting(this.#listenAddress),
      unix_socket_directories: quoteSetting(socketDirectory),
      unix_socket_permissions: '0700',
      wal_level: 'replica',
      max_wal_senders: '10',
      hot_standby: 'on',
      password_encryption: 'scram-sha-256',
      ...(this.#pg.hasOrochiExtension ? { shared_preload_libraries: "'orochi'" } : {}),
      ...settings,
    };
    const hbaChanged = await this.#writeHba(pgdata);
    const changed = JSON.stringify(previous) !== JSON.stringify(wanted) || hbaChanged;
    if (changed) {
      const content = Object.entries(wanted)
        .map(([key, value]) => `${key} = ${value}`)
        .join('\n');
      await this.#storage.writeAtomically(configPath, `# Written by Orochi's local driver\n${content}\n`, 0o600, true);
    }
    const pgCtl = (...args: string[]) =>
      run(this.#pg.bin('pg_ctl'), ['-D', pgdata, ...args], {
        identity: this.#storage.identity,
        cwd: files.instance(id, index),
      });
    const log = files.log(id, index);
    if (!running) {
      // A postmaster.pid left by a server that no longer runs (its PID may belong to another process by now)
      // would make the new server refuse to start, or pg_ctl signal that process.
      await rm(join(pgdata, 'postmaster.pid'), { force: true });
      await pgCtl('-l', log, '-w', '-t', String(START_TIMEOUT_SECONDS), 'start');
    } else if (changed && needsRestart(previous, wanted)) {
      await pgCtl('-l', log, '-m', 'fast', '-w', '-t', String(START_TIMEOUT_SECONDS), 'restart');
    } else {
      // One still starting (its start's pg_ctl died with a killed backend, say) is waited for as a start is:
      // callers go on to connect to it.
      await this.#untilReady(id, index);
      if (changed) await pgCtl('reload');
    }
    await this.#limitCpu(id, index);
  }

  /** Until a running server accepts connections, as `pg_ctl start -w` waits for the server it starts. */
  async #untilReady(id: string, index: number) {
    const deadline = Date.now() + START_TIMEOUT_SECONDS * 1000;
    for (;;) {
      const { running, ready } = await this.state(id, index);
      if (ready) return;
      if (!running) throw new Error(`The server of instance ${index} stopped before it accepted connections; see its log`);
      if (Date.now() > deadline) {
        throw new Error(`The server of instance ${index} did not accept connections within ${START_TIMEOUT_SECONDS}s`);
      }
      await sleep(100);
    }
  }

  /** Keeps the running servers of a cluster (as a backend start finds them) to its CPUs. */
  async adopt(id: string) {
    for (const index of await this.#storage.instanceIndexes(id)) await this.#limitCpu(id, index);
  }

  /** To the compute units last applied; a cluster not applied since CPU limits came has none recorded yet. */
  async #limitCpu(id: string, index: number) {
    const { pid } = await this.state(id, index);
    const cu = (await this.#storage.readMeta(id))?.cu;
    if (pid !== undefined && cu !== undefined) await this.#cpu.limit(id, index, cu, pid);
  }

  /**
   * Who may connect how. The superuser, Orochi's own sessions, only over the Unix socket, which the connection
   * proxy never relays it to; everyone else with a SCRAM password, over the socket (as the proxy relays them)
   * or TCP (a standby's clients). Answers whether the file changed.
   */
  async #writeHba(pgdata: string): Promise<boolean> {
    const path = join(pgdata, 'pg_hba.conf');
    const content = [
      "# Written by Orochi's local driver",
      `local   all          ${SUPERUSER}                 trust`,
      `local   replication  ${SUPERUSER}                 trust`,
      'local   all          all                      scram-sha-256',
      'host    all          all        127.0.0.1/32  scram-sha-256',
      'host    all          all        ::1/128       scram-sha-256',
      '',
    ].join('\n');
    if (existsSync(path) && (await readFile(path, 'utf8')) === content) return false;
    await this.#storage.writeAtomically(path, content, 0o600, true);
    return true;
  }

  async stop(id: string, index: number, mode: 'fast' | 'immediate') {
    if ((await this.state(id, index)).running) {
      await run(
        this.#pg.bin('pg_ctl'),
        ['-D', this.#storage.files.pgdata(id, index), '-m', mode, '-w', '-t', '120', 'stop'],
        { identity: this.#storage.identity },
      );
    }
    await this.#cpu.release(id, index);
  }

  /** Standbys first, so none of them loses its primary while still streaming. */
  async stopAll(id: string, mode: 'fast' | 'immediate') {
    const indexes = await this.#storage.instanceIndexes(id);
    for (const index of indexes.reverse()) {
      await this.stop(id, index, mode);
    }
  }
}

/** A string value as postgresql.conf quotes it. */
export function quoteSetting(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

function parseSettings(content: string): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const line of content.split('\n')) {
    const match = line.match(/^(\w+) = (.*)$/);
    if (match) settings[match[1]] = match[2];
  }
  return settings;
}
