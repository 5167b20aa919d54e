/**
 * Orochi's wake-on-connect PostgreSQL proxy.
 *
 * @packageDocumentation
 */
export { PostgresProxy } from './PostgresProxy';
export { ProxyRefusal } from './ProxyRefusal';
export { runStandaloneProxy } from './standalone/main';
export { readStandaloneConfig } from './standalone/config';
export type { StandaloneProxyConfig } from './standalone/config';
export { startStandaloneProxy } from './standalone/startStandaloneProxy';
export type { StandaloneProxy } from './standalone/startStandaloneProxy';
export type {
  PostgresProxyOptions,
  ProxyConnectionInfo,
  ProxyListenerStats,
  ProxyListenOptions,
  ProxyLogger,
  ProxyTarget,
} from './types';
