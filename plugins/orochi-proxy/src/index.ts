/**
 * Orochi's wake-on-connect PostgreSQL proxy.
 *
 * @packageDocumentation
 */
export { PostgresProxy } from './PostgresProxy';
export { ProxyRefusal } from './ProxyRefusal';
export type {
  PostgresProxyOptions,
  ProxyConnectionInfo,
  ProxyListenerStats,
  ProxyListenOptions,
  ProxyLogger,
  ProxyTarget,
} from './types';
