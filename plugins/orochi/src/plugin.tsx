import {
  createFrontendPlugin,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { RiDatabase2Line } from '@remixicon/react';
import { EntityCardBlueprint, EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
import { orochiApi } from './api';
import { isOrochiCluster, showsClustersCard } from './components/EntityCluster';
import { isGroup } from './components/Billing/EntityBillingContent';
import { billingRouteRef, clusterRouteRef, createClusterTemplateRouteRef, databasesRouteRef } from './routes';

/** The "Databases" page and its nav item (from the page's title and icon). */
export const databasesPage = PageBlueprint.make({
  params: {
    path: '/orochi',
    title: 'Databases',
    icon: <RiDatabase2Line />,
    routeRef: databasesRouteRef,
    loader: () =>
      import('./components/DatabasesPage').then(m => <m.DatabasesPage />),
  },
});

/** The cluster view as a "Database" tab on orochi-cluster resources. */
export const clusterEntityContent = EntityContentBlueprint.make({
  params: {
    path: 'orochi',
    title: 'Database',
    group: 'operation',
    filter: isOrochiCluster,
    loader: () => import('./components/EntityCluster').then(m => <m.EntityClusterContent />),
  },
});

/** A team's billing as a "Billing" tab on group entity pages. */
export const billingEntityContent = EntityContentBlueprint.make({
  name: 'billing',
  params: {
    path: 'orochi-billing',
    title: 'Billing',
    filter: isGroup,
    loader: () => import('./components/Billing/EntityBillingContent').then(m => <m.EntityBillingContent />),
  },
});

/**
 * The overview card of orochi-cluster resources and of components that depend on one. A `content` card, in the
 * overview's main column: as an `info` card it came after About, Links and Labels in the right-hand column, which
 * is as tall as the viewport and scrolls without a scrollbar, so users never saw it. (The app lists it first in
 * `app.extensions` so it also comes before the other main-column cards.)
 */
export const clustersEntityCard = EntityCardBlueprint.make({
  params: {
    type: 'content',
    filter: showsClustersCard,
    loader: () => import('./components/EntityCluster').then(m => <m.EntityClustersCard />),
  },
});

/** `ui:field: OrochiOfferingPicker` for templates: sizes, plans, regions and versions from the offering. */
export const offeringPickerFormField = FormFieldBlueprint.make({
  name: 'offering-picker',
  params: {
    field: () => import('./components/OfferingPicker/field').then(m => m.offeringPickerField),
  },
});

/**
 * Orochi: self-service PostgreSQL clusters in Backstage.
 *
 * @public
 */
export const orochiPlugin = createFrontendPlugin({
  pluginId: 'orochi',
  title: 'Databases',
  icon: <RiDatabase2Line />,
  info: { packageJson: () => import('../package.json') },
  extensions: [orochiApi, databasesPage, clusterEntityContent, billingEntityContent, clustersEntityCard, offeringPickerFormField],
  routes: {
    databases: databasesRouteRef,
    cluster: clusterRouteRef,
    billing: billingRouteRef,
  },
  externalRoutes: {
    createClusterTemplate: createClusterTemplateRouteRef,
  },
});
