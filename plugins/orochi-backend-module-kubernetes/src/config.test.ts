import { ConfigReader } from '@backstage/config';
import { readKubernetesDriverConfig } from './config';

const read = (orochi: object) => readKubernetesDriverConfig(new ConfigReader({ orochi }));

describe('readKubernetesDriverConfig', () => {
  it('defaults the installation to "default" and leaves the service account out', () => {
    expect(read({})).toMatchObject({ installationId: 'default', namespacePrefix: 'orochi-' });
    expect(read({}).serviceAccount).toBeUndefined();
  });

  it('reads orochi.installationId and the service account', () => {
    const config = read({ installationId: 'eu-prod-1', kubernetes: { serviceAccount: { name: 'backstage', namespace: 'platform' } } });
    expect(config).toMatchObject({ installationId: 'eu-prod-1', serviceAccount: { name: 'backstage', namespace: 'platform' } });
  });

  // An empty string Backstage's config reader refuses itself.
  // One rule for the plugin and every driver (orochi-node's readInstallationId); its ids are label values.
  it.each(['has space', '-leading', 'trailing-', 'x'.repeat(33), 'a/b', 'Upper', 'dot.ted'])('refuses the installation id %j', id => {
    expect(() => read({ installationId: id })).toThrow(/installationId: ".*" must be up to 32 lowercase letters/);
  });

  it.each(['Orochi-', 'orochi_', '-orochi', 'o'.repeat(31)])('refuses the namespace prefix %j', prefix => {
    expect(() => read({ kubernetes: { namespacePrefix: prefix } })).toThrow(/orochi.kubernetes.namespacePrefix must be/);
  });

  it('refuses a service account that is not a Kubernetes name', () => {
    expect(() => read({ kubernetes: { serviceAccount: { name: 'Backstage', namespace: 'b' } } })).toThrow(/serviceAccount.name must be/);
    expect(() => read({ kubernetes: { serviceAccount: { name: 'backstage', namespace: 'a.b' } } })).toThrow(/serviceAccount.namespace must be/);
  });
});
