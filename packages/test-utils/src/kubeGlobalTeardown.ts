import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { kubeTestApiServer } from './kubeGlobalSetup';

/** Jest global teardown: stops the API server the setup started (not a cluster given by OROCHI_TEST_KUBECONFIG). */
export default async function teardown() {
  const runDir = globalThis.orochiKubeRunDir;
  if (!runDir) return;
  execFileSync(join(kubeTestApiServer(), 'stop.sh'), [runDir], { stdio: 'inherit' });
  rmSync(dirname(runDir), { recursive: true, force: true });
  delete process.env.OROCHI_TEST_KUBECONFIG;
}
