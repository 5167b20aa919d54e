import { Entity } from '@backstage/catalog-model';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { catalogApiRef, EntityProvider } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { clusterRecord } from '@orochi/backstage-plugin-orochi-common/testUtils';
import { screen } from '@testing-library/react';
import { orochiApiRef } from '../../api';
import { databasesRouteRef } from '../../routes';
import { orochiApiMock } from '../../__testUtils__/orochiApiMock';
import { EntityClustersCard, showsClustersCard } from './EntityClustersCard';

const clusterEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name: 'orders-db', namespace: 'default', annotations: { 'orochi.io/cluster-id': 'id-orders-db' } },
  spec: { type: 'orochi-cluster', owner: 'group:default/team-payments' },
};

const component: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'orders', namespace: 'default' },
  spec: { type: 'service', owner: 'group:default/team-payments', dependsOn: ['resource:default/orders-db', 'resource:default/bucket'] },
  relations: [
    { type: 'dependsOn', targetRef: 'resource:default/orders-db' },
    { type: 'dependsOn', targetRef: 'resource:default/bucket' },
  ],
};

const bucket: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name: 'bucket', namespace: 'default' },
  spec: { type: 's3-bucket', owner: 'group:default/team-payments' },
};

function render(entity: Entity) {
  const api = orochiApiMock({ getCluster: jest.fn(async () => clusterRecord('orders-db', { instances: 2, readyInstances: 2 })) });
  renderInTestApp(
    <EntityProvider entity={entity}>
      <EntityClustersCard />
    </EntityProvider>,
    {
      apis: [
        [orochiApiRef, api],
        [catalogApiRef, catalogApiMock({ entities: [clusterEntity, component, bucket] })],
      ],
      mountedRoutes: { '/orochi': databasesRouteRef },
    },
  );
  return api;
}

describe('EntityClustersCard', () => {
  it('shows the cluster behind an orochi-cluster resource', async () => {
    const api = render(clusterEntity);
    expect(await screen.findByRole('link', { name: 'orders-db' })).toHaveAttribute('href', '/orochi/clusters/id-orders-db');
    expect(screen.getByRole('region', { name: 'Orochi database' })).toContainElement(screen.getByRole('link', { name: 'orders-db' }));
    expect(screen.getByText('PostgreSQL 15 · small · 2/2 instances · pro plan · localhost:54320')).toBeInTheDocument();
    expect(api.getCluster).toHaveBeenCalledWith('id-orders-db');
  });

  it('shows the Orochi clusters a component depends on, and only those', async () => {
    const api = render(component);
    expect(await screen.findByRole('link', { name: 'orders-db' })).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Orochi databases' })).toBeInTheDocument();
    expect(api.getCluster).toHaveBeenCalledTimes(1);
  });

  it('belongs on clusters and on components with dependencies', () => {
    expect(showsClustersCard(clusterEntity)).toBe(true);
    expect(showsClustersCard(component)).toBe(true);
    expect(showsClustersCard(bucket)).toBe(false);
  });
});
