/**
 * The application database and its owning role that every cluster gets, on every driver (CloudNativePG's
 * names). Their password is only ever revealed on request.
 */
export const APP_DATABASE = { name: 'app', user: 'app' } as const;

/**
 * A libpq connection URI, every part encoded. Without a password it is what may be shown to anyone who can see
 * the cluster.
 */
export function connectionUri(details: {
  host: string;
  port: number;
  database: string;
  user: string;
  password?: string;
}): string {
  const password = details.password === undefined ? '' : `:${encodeURIComponent(details.password)}`;
  return `postgresql://${encodeURIComponent(details.user)}${password}@${details.host}:${details.port}/${encodeURIComponent(details.database)}`;
}
