import {
  createFrontendPlugin,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { RiDatabase2Line } from '@remixicon/react';
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
  extensions: [databasesPage],
  routes: {
    databases: databasesRouteRef,
  },
});
