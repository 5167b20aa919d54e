import { readStandaloneConfig } from './config';

const minimal = { OROCHI_URL: 'http://backstage:7007/api/orochi/', OROCHI_PROXY_TOKEN: 'secret' };

it('reads the environment with defaults', () => {
  expect(readStandaloneConfig(minimal)).toEqual({
    host: '0.0.0.0',
    port: 5432,
    orochiUrl: 'http://backstage:7007/api/orochi',
    token: 'secret',
    installationId: 'default',
    upstream: '{service}.{namespace}.svc:5432',
    wakeTimeoutMs: 35_000,
  });
});

it('names every variable that is wrong, and why', () => {
  expect(() =>
    readStandaloneConfig({
      OROCHI_URL: 'not a url',
      OROCHI_PROXY_PORT: '70000',
      OROCHI_INSTALLATION_ID: 'Not_Valid',
      OROCHI_PROXY_TLS_CERT_FILE: '/tls.crt',
    }),
  ).toThrow(
    /^Invalid orochi-proxy environment: OROCHI_PROXY_PORT: .*; OROCHI_URL: .*; OROCHI_INSTALLATION_ID: up to 32 lowercase letters, digits and "-"/,
  );
  expect(() => readStandaloneConfig({ ...minimal, OROCHI_PROXY_TLS_CERT_FILE: '/c', OROCHI_PROXY_TLS_KEY_FILE: '/k' })).toThrow(
    'OROCHI_PROXY_DOMAIN: TLS routes by <cluster>.<domain>: set OROCHI_PROXY_DOMAIN',
  );
  expect(() => readStandaloneConfig({ OROCHI_URL: minimal.OROCHI_URL })).toThrow(
    'OROCHI_PROXY_TOKEN: set exactly one of OROCHI_PROXY_TOKEN and OROCHI_PROXY_TOKEN_FILE',
  );
});
