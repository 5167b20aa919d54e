/**
 * The Orochi frontend plugin: the Databases page.
 *
 * @packageDocumentation
 */
export { orochiPlugin as default } from './plugin';
