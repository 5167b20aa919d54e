import {
  ApiBlueprint,
  createApiRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { OrochiApi, OrochiClient } from '@orochi/backstage-plugin-orochi-common';

/** The Orochi REST API for frontend code, on the shared client from orochi-common. */
export const orochiApiRef = createApiRef<OrochiApi>().with({
  id: 'plugin.orochi.api',
  pluginId: 'orochi',
});

export const orochiApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: orochiApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) => new OrochiClient({ discoveryApi, fetchApi }),
    }),
});
