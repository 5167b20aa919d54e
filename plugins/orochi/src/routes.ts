import { createRouteRef } from '@backstage/frontend-plugin-api';

/** The Databases page: every Orochi cluster the user may see. */
export const databasesRouteRef = createRouteRef();
