import {
  createFrontendPlugin,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { RiDatabase2Line } from '@remixicon/react';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
import { orochiApi } from './api';
import { databasesRouteRef } from './routes';

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
  extensions: [orochiApi, databasesPage, offeringPickerFormField],
  routes: {
    databases: databasesRouteRef,
  },
});
