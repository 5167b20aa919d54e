export * from './postgres';
export { createTestDatabases } from './testDatabases';
export * from './clusters';
export { exampleEntities, exampleOrgUserInfoFactory } from './exampleOrg';
export { onBehalfOfMockAuthFactory } from './mockAuth';
