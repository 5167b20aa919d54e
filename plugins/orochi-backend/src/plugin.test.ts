import { startTestBackend } from '@backstage/backend-test-utils';
import request from 'supertest';
import { orochiPlugin } from './plugin';

describe('orochiPlugin', () => {
  it('answers /health without credentials', async () => {
    const { server } = await startTestBackend({ features: [orochiPlugin] });
    const res = await request(server).get('/api/orochi/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });
});
