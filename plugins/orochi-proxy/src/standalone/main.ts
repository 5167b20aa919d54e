import { KubeConfig } from '@kubernetes/client-node';
import { readStandaloneConfig } from './config';
import { startStandaloneProxy } from './startStandaloneProxy';

/** One JSON line per event on stdout, as container logs are collected. */
function log(level: 'info' | 'warn' | 'error', message: string, error?: unknown) {
  const line = { level, message, time: new Date().toISOString(), ...(error ? { error: String(error) } : {}) };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/** The `orochi-proxy` command: configured by its environment, it runs until SIGTERM or SIGINT. */
export async function runStandaloneProxy(env: Record<string, string | undefined> = process.env): Promise<void> {
  try {
    await run(env);
  } catch (error) {
    log('error', 'orochi-proxy could not start', error instanceof Error ? error.message : error);
    process.exit(1);
  }
}

async function run(env: Record<string, string | undefined>) {
  const config = readStandaloneConfig(env);
  // In a pod: its service account; elsewhere: KUBECONFIG or ~/.kube/config.
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  const proxy = await startStandaloneProxy({
    config,
    kubeConfig,
    logger: { info: message => log('info', message), warn: (message, error) => log('warn', message, error) },
  });
  log('info', `orochi-proxy listening on ${config.host}:${proxy.port} for installation ${config.installationId}${config.tls ? `, TLS for *.${config.domain}` : ', without TLS'}`);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      log('info', `${signal}: closing`);
      proxy.close().then(() => process.exit(0));
    });
  }
}
