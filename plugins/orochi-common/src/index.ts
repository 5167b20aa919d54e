/**
 * Orochi's domain in one place: cluster spec and status, sizes, plans, operations, permissions, and the typed
 * client of the REST API.
 *
 * @packageDocumentation
 */
export * from './domain/status';
export * from './domain/sizes';
export * from './domain/plans';
export * from './domain/billing';
export * from './domain/cluster';
export * from './domain/operations';
export * from './domain/backups';
export * from './domain/autoscaling';
export * from './domain/connection';
export * from './domain/offering';
export * from './domain/requests';
export * from './domain/metrics';
export * from './permissions';
export * from './api/responses';
export * from './api/routes';
export * from './client/OrochiApi';
export * from './client/OrochiClient';
export { describeApiError } from './client/describeApiError';
export * from './catalog';
