import { InputError, ServiceUnavailableError, stringifyError } from '@backstage/errors';
import { isIPv6 } from 'node:net';
import { parsePrometheusText, PrometheusSample } from './prometheusText';

/** The port of CloudNativePG's metrics exporter in every instance pod (named `metrics`). */
export const EXPORTER_PORT = 9187;
const SCRAPE_TIMEOUT_MS = 2000;

/**
 * CloudNativePG's own sessions, which never count: its exporter (running the very query that is scraped), its
 * instance manager, its standbys' replication (as the local driver leaves out its own standbys) and the pooler's
 * `auth_query` connection.
 */
const CNPG_APPLICATIONS = new Set(['cnpg_metrics_exporter', 'cnpg-instance-manager']);
const CNPG_USERS = new Set(['cnpg_metrics_exporter', 'streaming_replica', 'cnpg_pooler_pgbouncer']);
/** Where the instance manager and the exporter's own instance checks connect. */
const MAINTENANCE_DATABASE = 'postgres';

/** What the exporter of a primary tells about its activity. */
export interface ExporterActivity {
  connections: number;
  activeSessions: number;
  transactionsTotal: number;
  storageBytes: number;
}

/**
 * The activity in a scrape of the exporter, from CloudNativePG's default monitoring queries
 * (config/manager/default-monitoring.yaml):
 *
 * - `cnpg_backends_total{datname,usename,application_name,state}` (pg_stat_activity by group): connections are the
 *   groups with a database (a physical walsender has none), active sessions those not `idle` (idle in transaction
 *   counts), both without CloudNativePG's own. The query leaves out backends without a user, so autovacuum workers
 *   are not seen, and has no `state_change`, so when a session last went idle (`lastActivityAt`) is unknown.
 * - `cnpg_pg_stat_database_xact_commit`/`xact_rollback{datname}`: transactions outside the maintenance database.
 *   The exporter's own queries run as one read-only transaction each in the application database (its default
 *   database), so this total also counts them: the counter never stands still while the exporter is scraped.
 * - `cnpg_pg_database_size_bytes{datname}`: every database that allows connections.
 *
 * Answers undefined when the exporter reports PostgreSQL down (`cnpg_collector_up` 0); an error when the queries'
 * metrics are missing (default queries disabled, or failing), since zero sessions would then be a guess.
 */
export function activityOf(samples: PrometheusSample[]): ExporterActivity | undefined {
  const named = (name: string) => samples.filter(s => s.name === name);
  if (!named('cnpg_collector_up').some(s => s.value === 1)) return undefined;
  const backends = named('cnpg_backends_total');
  const commits = named('cnpg_pg_stat_database_xact_commit');
  const sizes = named('cnpg_pg_database_size_bytes');
  // The exporter's own session shows in cnpg_backends_total whenever its query ran.
  if (!backends.length || !commits.length || !sizes.length) {
    throw new InputError('The exporter has no cnpg_backends_total, cnpg_pg_stat_database_xact_commit or cnpg_pg_database_size_bytes');
  }
  const clients = backends.filter(
    ({ labels }) => !CNPG_APPLICATIONS.has(labels.application_name ?? '') && !CNPG_USERS.has(labels.usename ?? ''),
  );
  const sum = (list: PrometheusSample[]) => list.reduce((total, s) => total + s.value, 0);
  const application = (s: PrometheusSample) => s.labels.datname !== MAINTENANCE_DATABASE;
  return {
    connections: sum(clients.filter(s => s.labels.datname)),
    activeSessions: sum(clients.filter(s => s.labels.state !== 'idle')),
    transactionsTotal: sum([...commits, ...named('cnpg_pg_stat_database_xact_rollback')].filter(application)),
    storageBytes: sum(sizes),
  };
}

/** The exporter of an instance pod. Plain HTTP: Orochi's Clusters leave `spec.monitoring.tls` off. */
export function exporterUrl(podIP: string, port = EXPORTER_PORT): string {
  return `http://${isIPv6(podIP) ? `[${podIP}]` : podIP}:${port}/metrics`;
}

/** One scrape; a ServiceUnavailableError when the exporter does not answer, or not with 200. */
export async function scrapeExporter(url: string): Promise<PrometheusSample[]> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
  } catch (error) {
    const cause = (error as Error)?.cause;
    throw new ServiceUnavailableError(`No answer from the exporter at ${url}: ${stringifyError(cause ?? error)}`);
  }
  const text = await response.text();
  if (!response.ok) throw new ServiceUnavailableError(`The exporter at ${url} answered HTTP ${response.status}: ${text.slice(0, 200)}`);
  return parsePrometheusText(text);
}
