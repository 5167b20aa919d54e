import {
  createExternalRouteRef,
  createRouteRef,
  createSubRouteRef,
} from '@backstage/frontend-plugin-api';

/** The Databases page: every Orochi cluster the user may see. */
export const databasesRouteRef = createRouteRef();

/** One cluster's page, under the Databases page. */
export const clusterRouteRef = createSubRouteRef({
  parent: databasesRouteRef,
  path: '/clusters/:clusterId',
});

/** The scaffolder's page for a template; the Create button opens the orochi-cluster template there. */
export const createClusterTemplateRouteRef = createExternalRouteRef({
  params: ['namespace', 'templateName'],
  defaultTarget: 'scaffolder.selectedTemplate',
});

/** The Billing page of the user's teams, under the Databases page. */
export const billingRouteRef = createSubRouteRef({
  parent: databasesRouteRef,
  path: '/billing',
});
