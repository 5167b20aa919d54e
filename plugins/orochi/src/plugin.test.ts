import { coreExtensionData } from '@backstage/frontend-plugin-api';
import { createExtensionTester } from '@backstage/frontend-test-utils';
import { EntityCardBlueprint, EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { billingEntityContent, clusterEntityContent, clustersEntityCard, databasesPage } from './plugin';

const resource = (type: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name: 'x' },
  spec: { type },
});

describe('the Orochi frontend plugin', () => {
  it('mounts the Databases page at /orochi with its nav title', () => {
    const tester = createExtensionTester(databasesPage);
    expect(tester.get(coreExtensionData.routePath)).toBe('/orochi');
    expect(tester.get(coreExtensionData.title)).toBe('Databases');
  });

  it('adds a Database tab to orochi-cluster resources only', () => {
    const tester = createExtensionTester(clusterEntityContent);
    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe('Database');
    const filter = tester.get(EntityContentBlueprint.dataRefs.filterFunction)!;
    expect(filter(resource('orochi-cluster'))).toBe(true);
    expect(filter(resource('s3-bucket'))).toBe(false);
  });

  it('adds a Billing tab to groups, whose clusters it bills', () => {
    const tester = createExtensionTester(billingEntityContent);
    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe('Billing');
    const filter = tester.get(EntityContentBlueprint.dataRefs.filterFunction)!;
    expect(filter({ ...resource('team'), kind: 'Group' })).toBe(true);
    expect(filter(resource('orochi-cluster'))).toBe(false);
  });

  it('adds an overview card to clusters and to components that depend on a resource, in the main column', () => {
    const tester = createExtensionTester(clustersEntityCard);
    const filter = tester.get(EntityCardBlueprint.dataRefs.filterFunction)!;
    expect(filter(resource('orochi-cluster'))).toBe(true);
    expect(
      filter({
        ...resource('service'),
        kind: 'Component',
        relations: [{ type: 'dependsOn', targetRef: 'resource:default/orders-db' }],
      }),
    ).toBe(true);
    expect(filter(resource('s3-bucket'))).toBe(false);
    // Not an 'info' card: those sit below About, Links and Labels in a column that hides its overflow.
    expect(tester.get(EntityCardBlueprint.dataRefs.type)).toBe('content');
  });
});
