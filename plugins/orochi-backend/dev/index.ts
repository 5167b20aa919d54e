import { createBackend } from '@backstage/backend-defaults';
import { mockServices } from '@backstage/backend-test-utils';

// A development backend with just the Orochi plugin. Calls are authenticated as a mock user:
//   curl http://localhost:7007/api/orochi/health
const backend = createBackend();
backend.add(mockServices.auth.factory());
backend.add(mockServices.httpAuth.factory());
backend.add(import('../src'));
backend.start();
