import { INSTALLATION_ID_PATTERN } from '@orochi/backstage-plugin-orochi-node';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** 0 picks a free port (tests). */
const port = z.coerce.number().int().min(0).max(65535);

/** The standalone proxy's settings, from its environment (a Deployment's `env`, Secrets mounted as files). */
const environmentSchema = z
  .object({
    OROCHI_PROXY_HOST: z.string().min(1).default('0.0.0.0'),
    OROCHI_PROXY_PORT: port.default(5432),
    OROCHI_URL: z.url().describe("the Orochi backend plugin's base URL, e.g. http://backstage:7007/api/orochi"),
    OROCHI_PROXY_TOKEN_FILE: z.string().min(1).optional(),
    OROCHI_PROXY_TOKEN: z.string().min(1).optional(),
    OROCHI_INSTALLATION_ID: z.string().regex(INSTALLATION_ID_PATTERN, 'up to 32 lowercase letters, digits and "-"').default('default'),
    OROCHI_PROXY_DOMAIN: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'a DNS name such as db.example.com').optional(),
    OROCHI_PROXY_TLS_CERT_FILE: z.string().min(1).optional(),
    OROCHI_PROXY_TLS_KEY_FILE: z.string().min(1).optional(),
    OROCHI_PROXY_UPSTREAM: z
      .string()
      .regex(/^[^:]+:\d+$/, 'host:port, where {service} and {namespace} are replaced')
      .default('{service}.{namespace}.svc:5432'),
    OROCHI_PROXY_WAKE_TIMEOUT_SECONDS: z.coerce.number().positive().default(35),
  })
  .refine(env => !!env.OROCHI_PROXY_TOKEN !== !!env.OROCHI_PROXY_TOKEN_FILE, {
    message: 'set exactly one of OROCHI_PROXY_TOKEN and OROCHI_PROXY_TOKEN_FILE',
    path: ['OROCHI_PROXY_TOKEN'],
  })
  .refine(env => !!env.OROCHI_PROXY_TLS_CERT_FILE === !!env.OROCHI_PROXY_TLS_KEY_FILE, {
    message: 'set both OROCHI_PROXY_TLS_CERT_FILE and OROCHI_PROXY_TLS_KEY_FILE, or neither',
    path: ['OROCHI_PROXY_TLS_CERT_FILE'],
  })
  .refine(env => !env.OROCHI_PROXY_TLS_CERT_FILE || !!env.OROCHI_PROXY_DOMAIN, {
    message: 'TLS routes by <cluster>.<domain>: set OROCHI_PROXY_DOMAIN',
    path: ['OROCHI_PROXY_DOMAIN'],
  });

export interface StandaloneProxyConfig {
  host: string;
  port: number;
  orochiUrl: string;
  token: string;
  installationId: string;
  domain?: string;
  tls?: { cert: Buffer; key: Buffer };
  upstream: string;
  wakeTimeoutMs: number;
}

/** Reads and checks the environment; throws one error naming every variable that is wrong and why. */
export function readStandaloneConfig(env: Record<string, string | undefined>): StandaloneProxyConfig {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(issue => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid orochi-proxy environment: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  return {
    host: e.OROCHI_PROXY_HOST,
    port: e.OROCHI_PROXY_PORT,
    orochiUrl: e.OROCHI_URL.replace(/\/+$/, ''),
    token: e.OROCHI_PROXY_TOKEN ?? readFileSync(e.OROCHI_PROXY_TOKEN_FILE!, 'utf8').trim(),
    installationId: e.OROCHI_INSTALLATION_ID,
    ...(e.OROCHI_PROXY_DOMAIN ? { domain: e.OROCHI_PROXY_DOMAIN } : {}),
    ...(e.OROCHI_PROXY_TLS_CERT_FILE
      ? { tls: { cert: readFileSync(e.OROCHI_PROXY_TLS_CERT_FILE), key: readFileSync(e.OROCHI_PROXY_TLS_KEY_FILE!) } }
      : {}),
    upstream: e.OROCHI_PROXY_UPSTREAM,
    wakeTimeoutMs: e.OROCHI_PROXY_WAKE_TIMEOUT_SECONDS * 1000,
  };
}
