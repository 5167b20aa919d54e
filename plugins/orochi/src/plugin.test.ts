import { coreExtensionData } from '@backstage/frontend-plugin-api';
import { createExtensionTester } from '@backstage/frontend-test-utils';
import { databasesPage } from './plugin';

describe('databasesPage', () => {
  it('mounts at /orochi with the Databases title', () => {
    const tester = createExtensionTester(databasesPage);
    expect(tester.get(coreExtensionData.routePath)).toBe('/orochi');
    expect(tester.get(coreExtensionData.title)).toBe('Databases');
  });
});
