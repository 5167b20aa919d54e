export * from './postgres';
export { testDatabaseServiceFactory, createTestDatabases } from './testDatabases';
export * from './clusters';
export { exampleEntities, exampleOrgUserInfoFactory } from './exampleOrg';
export { onBehalfOfMockAuthFactory } from './mockAuth';
export { createDevBackend, eventually } from './devBackend';
export { openApiCheckedUrl } from './openApiChecked';
export type { DevBackend } from './devBackend';
export { clusterRecord, clusterSpec } from '@orochi/backstage-plugin-orochi-common/testUtils';
