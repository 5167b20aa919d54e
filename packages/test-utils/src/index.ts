export * from './postgres';
export { createTestDatabases } from './testDatabases';
export * from './clusters';
export { exampleOrg, exampleOrgUserInfoFactory } from './exampleOrg';
export { onBehalfOfMockAuthFactory } from './mockAuth';
