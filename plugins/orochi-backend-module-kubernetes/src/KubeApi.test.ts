import { ApiException, KubeConfig } from '@kubernetes/client-node';
import { KubeApi, KubernetesRequestError } from './KubeApi';
import { CNPG } from './names';

function apiWith(patch: jest.Mock) {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:1' }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  const api = new KubeApi(kubeConfig);
  (api as { custom: unknown }).custom = { patchNamespacedCustomObject: patch };
  return api;
}

const manifest = { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', metadata: { name: 'db', namespace: 'ns' } };

describe('KubeApi', () => {
  it('retries conflicts and server errors, then succeeds', async () => {
    const patch = jest
      .fn()
      .mockRejectedValueOnce(new ApiException(409, 'conflict', '{}', {}))
      .mockRejectedValueOnce(new ApiException(503, 'unavailable', '{}', {}))
      .mockResolvedValue(manifest);
    await expect(apiWith(patch).applyCustom(CNPG.cluster, manifest)).resolves.toEqual(manifest);
    expect(patch).toHaveBeenCalledTimes(3);
    expect(patch.mock.calls[0][0]).toMatchObject({ fieldManager: 'orochi', force: true, fieldValidation: 'Strict' });
  });

  it('turns an invalid object into an error naming each field, without retrying', async () => {
    const status = {
      kind: 'Status',
      message: 'Cluster.postgresql.cnpg.io "db" is invalid',
      details: { causes: [{ field: 'spec.instances', message: 'Invalid value: 0: spec.instances in body should be greater than or equal to 1' }] },
    };
    const patch = jest.fn().mockRejectedValue(new ApiException(422, 'invalid', JSON.stringify(status), {}));
    const error = await apiWith(patch).applyCustom(CNPG.cluster, manifest).catch(e => e);
    expect(error).toBeInstanceOf(KubernetesRequestError);
    expect(error.message).toBe(
      'Kubernetes did not apply Cluster ns/db (HTTP 422): Cluster.postgresql.cnpg.io "db" is invalid; spec.instances: Invalid value: 0: spec.instances in body should be greater than or equal to 1',
    );
    expect(patch).toHaveBeenCalledTimes(1);
  });

  it('retries a refused connection as fetch reports it (the code on the cause)', async () => {
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' }) });
    const patch = jest.fn().mockRejectedValueOnce(refused).mockResolvedValue(manifest);
    await expect(apiWith(patch).applyCustom(CNPG.cluster, manifest)).resolves.toEqual(manifest);
    expect(patch).toHaveBeenCalledTimes(2);
  });

  it('gives up on an API server that stays unreachable', async () => {
    const patch = jest.fn().mockRejectedValue(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    await expect(apiWith(patch).applyCustom(CNPG.cluster, manifest)).rejects.toThrow(/Kubernetes did not apply Cluster ns\/db \(no answer\): connect ECONNREFUSED/);
    expect(patch).toHaveBeenCalledTimes(4);
  });
});
