import { createBackend } from '@backstage/backend-defaults';
import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { exampleEntities } from '@orochi/test-utils';

// The Orochi plugin alone, for plugin development and for tests that need a real backend process (the crash
// test kills it). Requests are authenticated as a mock user; the catalog serves the example org:
//   curl -X POST localhost:7007/api/orochi/clusters -H 'Content-Type: application/json' \
//     -d '{"name":"orders-db","owner":"team-payments"}'
const backend = createBackend();
backend.add(mockServices.auth.factory());
backend.add(mockServices.httpAuth.factory());
backend.add(catalogServiceMock.factory({ entities: exampleEntities() }));
backend.add(import('../src'));
backend.start();
