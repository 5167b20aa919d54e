import { InputError, ServiceUnavailableError, stringifyError } from '@backstage/errors';
import { isIPv6 } from 'node:net';
import { CNPG_APPLICATIONS, CNPG_USERS, LAST_CLIENT_ACTIVITY_METRIC, TABLE_ACCESSES_METRIC } from './activityQueries';
import { parsePrometheusText, PrometheusSample } from './prometheusText';

/** The port of CloudNativePG's metrics exporter in every instance pod (named `metrics`). */
export const EXPORTER_PORT = 9187;
const SCRAPE_TIMEOUT_MS = 2000;

/** What the exporter of a primary tells about its activity. */
export interface ExporterActivity {
  connections: number;
  activeSessions: number;
  /** Accesses of user tables (activityQueries.ts), which the exporter's own queries do not move. */
  transactionsTotal: number;
  storageBytes: number;
  lastActivityAt?: string;
}

/**
 * The activity in a scrape of the exporter, from CloudNativePG's default monitoring queries
 * (config/manager/default-monitoring.yaml) and Orochi's (activityQueries.ts):
 *
 * - `cnpg_backends_total{datname,usename,application_name,state}` (pg_stat_activity by group): connections are the
 *   groups with a database (a physical walsender has none), active sessions those not `idle` (idle in transaction
 *   counts), both without CloudNativePG's own. The query leaves out backends without a user, so autovacuum workers
 *   are not seen.
 * - Orochi's `table_accesses` stands for transactions: the default queries are transactions in the application
 *   database themselves, so its `xact_commit` never stands still while the exporter is scraped. Its
 *   `last_client_activity_seconds` tells when an open session last went idle.
 * - `cnpg_pg_database_size_bytes{datname}`: every database that allows connections.
 *
 * Answers undefined when the exporter reports PostgreSQL down (`cnpg_collector_up` 0); an error when the queries'
 * metrics are missing (default queries disabled, Orochi's queries not loaded yet, or failing), since zero
 * sessions would then be a guess.
 */
export function activityOf(samples: PrometheusSample[]): ExporterActivity | undefined {
  const named = (name: string) => samples.filter(s => s.name === name);
  if (!named('cnpg_collector_up').some(s => s.value === 1)) return undefined;
  const required = ['cnpg_backends_total', TABLE_ACCESSES_METRIC, LAST_CLIENT_ACTIVITY_METRIC, 'cnpg_pg_database_size_bytes'];
  // The exporter's own session shows in cnpg_backends_total whenever its query ran.
  const missing = required.filter(name => !named(name).length);
  if (missing.length) throw new InputError(`The exporter has no ${missing.join(', ')}`);
  const clients = backendsOfClients(named('cnpg_backends_total'));
  const sum = (list: PrometheusSample[]) => list.reduce((total, s) => total + s.value, 0);
  const lastActivity = Math.max(...named(LAST_CLIENT_ACTIVITY_METRIC).map(s => s.value));
  return {
    connections: sum(clients.filter(s => s.labels.datname)),
    activeSessions: sum(clients.filter(s => s.labels.state !== 'idle')),
    transactionsTotal: sum(named(TABLE_ACCESSES_METRIC)),
    storageBytes: sum(named('cnpg_pg_database_size_bytes')),
    ...(lastActivity > 0 ? { lastActivityAt: new Date(lastActivity * 1000).toISOString() } : {}),
  };
}

function backendsOfClients(backends: PrometheusSample[]): PrometheusSample[] {
  return backends.filter(({ labels }) => !CNPG_APPLICATIONS.includes(labels.application_name ?? '') && !CNPG_USERS.includes(labels.usename ?? ''));
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
