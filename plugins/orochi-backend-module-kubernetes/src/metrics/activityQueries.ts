import { APP_DATABASE } from '@orochi/backstage-plugin-orochi-common';

/**
 * CloudNativePG's own sessions, which never count: its exporter (running the very query that is scraped), its
 * instance manager, its standbys' replication (as the local driver leaves out its own standbys) and the pooler's
 * `auth_query` connection.
 */
export const CNPG_APPLICATIONS = ['cnpg_metrics_exporter', 'cnpg-instance-manager'];
export const CNPG_USERS = ['cnpg_metrics_exporter', 'streaming_replica', 'cnpg_pooler_pgbouncer'];

/**
 * The Secret in each team namespace that the Clusters name in `spec.monitoring.customQueriesSecret`: a Secret rather
 * than a ConfigMap, which the backend would need one more grant for (and the test API server does not serve).
 */
export const MONITORING_QUERIES = { name: 'orochi-monitoring', key: 'queries' };
/** The query's name; the exporter names its metrics `cnpg_<query>_<column>`. */
const QUERY = 'orochi_activity';
export const TABLE_ACCESSES_METRIC = `cnpg_${QUERY}_table_accesses`;
export const LAST_CLIENT_ACTIVITY_METRIC = `cnpg_${QUERY}_last_client_activity_seconds`;

const list = (values: string[]) => values.map(v => `'${v}'`).join(', ');

/**
 * Client activity that the exporter's own queries do not move. Every default query is a transaction in the
 * application database, so `xact_commit` never stands still while a cluster is scraped; reads and writes of user
 * tables (`pg_stat_user_tables`) and the last state change of a client session are untouched by them. A client that
 * connects, runs a query that touches no table and leaves between two samples is not seen.
 */
export const ACTIVITY_SQL = `SELECT current_database() AS datname,
  (SELECT COALESCE(sum(seq_scan + COALESCE(idx_scan, 0) + n_tup_ins + n_tup_upd + n_tup_del), 0)
     FROM pg_stat_user_tables) AS table_accesses,
  (SELECT COALESCE(EXTRACT(EPOCH FROM max(state_change)), 0) FROM pg_stat_activity
    WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
      AND application_name NOT IN (${list(CNPG_APPLICATIONS)})
      AND usename NOT IN (${list(CNPG_USERS)})) AS last_client_activity_seconds`;

/**
 * The custom queries in CloudNativePG's monitoring format (YAML, of which JSON is a part), run in the application
 * database whatever the bootstrap.
 */
export function monitoringQueries(): string {
  const queries = {
    [QUERY]: {
      query: ACTIVITY_SQL,
      target_databases: [APP_DATABASE.name],
      metrics: [
        { datname: { usage: 'LABEL', description: 'The application database' } },
        { table_accesses: { usage: 'COUNTER', description: 'Scans, inserts, updates and deletes of user tables' } },
        {
          last_client_activity_seconds: {
            usage: 'GAUGE',
            description: "When a client session last changed state (Unix time), CloudNativePG's own left out",
          },
        },
      ],
    },
  };
  return JSON.stringify(queries, null, 2);
}
