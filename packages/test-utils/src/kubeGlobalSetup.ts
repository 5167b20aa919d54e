import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where ../shared keeps the test API server (a real upstream API server on etcd, with the CNPG CRDs). */
export const kubeTestApiServer = () => resolvePackagePath('@orochi/test-utils', '../../../shared/kube-test-apiserver');

declare global {
  // eslint-disable-next-line no-var
  var orochiKubeRunDir: string | undefined;
}

/**
 * Jest global setup: a Kubernetes API server for the package's tests. With OROCHI_TEST_KUBECONFIG set the tests
 * use that cluster instead (it must have the CloudNativePG CRDs; see README).
 */
export default async function setup() {
  if (process.env.OROCHI_TEST_KUBECONFIG) return;
  const runDir = join(mkdtempSync(join(tmpdir(), 'orochi-kube-')), 'run');
  const kubeconfig = execFileSync(join(kubeTestApiServer(), 'start.sh'), [runDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .toString()
    .trim();
  globalThis.orochiKubeRunDir = runDir;
  process.env.OROCHI_TEST_KUBECONFIG = kubeconfig;
}
