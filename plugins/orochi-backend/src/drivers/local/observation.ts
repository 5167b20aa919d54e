import {
  ClusterCondition,
  ClusterEndpoint,
  CONDITION_OROCHI_EXTENSION,
  CONDITION_READY,
} from '@orochi/backstage-plugin-orochi-common';
import { ClusterMetricsSample, ClusterObservation } from '@orochi/backstage-plugin-orochi-node';
import { existsSync } from 'node:fs';
import { ClusterStorage } from './ClusterStorage';
import { MAINTENANCE_DATABASE, MONITOR_APPLICATION_NAME, SUPERUSER } from './constants';
import { processUsage } from './processUsage';
import { Provisioning } from './provisioning';
import { ServerControl } from './ServerControl';

/** What a cluster's servers are doing, from their files and processes, and samples of the primary's activity. */
export class Observer {
  readonly #storage: ClusterStorage;
  readonly #servers: ServerControl;
  readonly #provisioning: Provisioning;
  readonly #host: string;
  readonly #orochiExtension: boolean;

  constructor(options: {
    storage: ClusterStorage;
    servers: ServerControl;
    provisioning: Provisioning;
    host: string;
    orochiExtension: boolean;
  }) {
    this.#storage = options.storage;
    this.#servers = options.servers;
    this.#provisioning = options.provisioning;
    this.#host = options.host;
    this.#orochiExtension = options.orochiExtension;
  }

  /** `wakesOnConnect`: a stopped primary's address still takes connections (and wakes it). */
  async observe(id: string, options: { wakesOnConnect?: boolean } = {}): Promise<ClusterObservation> {
    const meta = await this.#storage.readMeta(id);
    const now = new Date().toISOString();
    const extension: ClusterCondition = this.#orochiExtension
      ? { type: CONDITION_OROCHI_EXTENSION, status: 'True', reason: 'Installed', lastTransitionTime: now }
      : {
          type: CONDITION_OROCHI_EXTENSION,
          status: 'False',
          reason: 'NotInstalled',
          message: 'The host has no orochi extension; the cluster runs plain PostgreSQL',
          lastTransitionTime: now,
        };
    if (!meta || !existsSync(this.#storage.files.pgdata(id, 0))) {
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
    const indexes = await this.#storage.instanceIndexes(id);
    const states = await Promise.all(indexes.map(i => this.#servers.state(id, i)));
    const endpoints: ClusterEndpoint[] = [];
    indexes.forEach((index, i) => {
      if (states[i].ready || (index === 0 && options.wakesOnConnect)) {
        endpoints.push({ role: index === 0 ? 'primary' : 'replica', host: this.#host, port: meta.ports[index] });
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

  async readMetrics(id: string): Promise<ClusterMetricsSample | undefined> {
    const primary = await this.#servers.state(id, 0);
    if (!primary.ready || !primary.pid) return undefined;
    const row = await this.#provisioning.withSuperuser(id, MAINTENANCE_DATABASE, async client => {
      // Orochi's own sessions: its monitoring (this one), and its standbys and backups, which connect as the
      // superuser to the maintenance database.
      const { rows } = await client.query(
        `WITH clients AS (
           SELECT state, state_change FROM pg_stat_activity
            WHERE backend_type = 'client backend' AND application_name <> $1
         )
         SELECT
           (SELECT count(*) FROM clients)::int AS connections,
           ((SELECT count(*) FROM clients WHERE state <> 'idle')
             + (SELECT count(*) FROM pg_stat_activity
                 WHERE backend_type = 'autovacuum worker' OR (backend_type = 'walsender' AND usename <> $2)))::int AS active,
           (SELECT max(state_change) FROM clients WHERE state = 'idle') AS last_activity,
           (SELECT coalesce(sum(xact_commit + xact_rollback), 0) FROM pg_stat_database
             WHERE datname IS DISTINCT FROM $3)::bigint AS transactions,
           (SELECT sum(pg_database_size(datname)) FROM pg_database)::bigint AS storage`,
        [MONITOR_APPLICATION_NAME, SUPERUSER, MAINTENANCE_DATABASE],
      );
      return rows[0];
    });
    const usage = await processUsage(primary.pid);
    return {
      connections: Number(row.connections),
      activeSessions: Number(row.active),
      ...(row.last_activity ? { lastActivityAt: new Date(row.last_activity).toISOString() } : {}),
      transactionsTotal: Number(row.transactions),
      cpuSecondsTotal: usage.cpuSeconds,
      memoryBytes: usage.memoryBytes,
      storageBytes: Number(row.storage),
    };
  }
}
