/**
 * Fixtures for tests of packages that use Orochi's domain.
 *
 * @packageDocumentation
 */
export { clusterRecord, clusterSpec } from './fixtures';
export { DEFAULT_SIZES } from '../domain/sizes';
