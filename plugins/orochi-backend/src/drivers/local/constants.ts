import { APP_DATABASE as APP } from '@orochi/backstage-plugin-orochi-common';

/** The application database and role every cluster gets (orochi-common's, as CloudNativePG names them). */
export const APP_DATABASE = APP.name;
export const APP_USER = APP.user;
/** The bootstrap superuser of every data directory; it connects over the cluster's Unix socket only. */
export const SUPERUSER = 'postgres';
/** The application name of Orochi's own sessions, which do not count as activity (metrics, idle detection). */
export const MONITOR_APPLICATION_NAME = 'orochi-monitor';
/** The installation a driver belongs to when it is given none. */
export const DEFAULT_INSTALLATION_ID = 'default';
/** Where Orochi's monitoring sessions connect; its transactions are Orochi's, not the application's. */
export const MAINTENANCE_DATABASE = 'postgres';
