// The catalog entity provider's full mutation for many clusters: seeds the Orochi store, starts the plugin's
// dev backend on it, and times the provider reading every cluster through the REST API.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { median, ms, repoRoot, scratchDirectory, startOrochiBackend, summary } from './lib.mjs';

const require = createRequire(import.meta.url);

function runTs(args) {
  return execFileSync(process.execPath, ['--require', require.resolve('@backstage/cli-node/config/nodeTransform.cjs'), join(repoRoot, 'bench/catalogProviderRun.ts'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

export async function catalogProvider() {
  const directory = scratchDirectory('orochi-bench-catalog-');
  try {
    const seeding = performance.now();
    runTs(['seed', join(directory, 'sqlite')]);
    console.log(`seeded the Orochi store in ${ms(performance.now() - seeding)}`);
    const backend = await startOrochiBackend(directory, { reconcile: false });
    try {
      const result = JSON.parse(runTs(['measure', (await backend.baseUrl())]));
      console.log(`full mutation of ${result.entities} clusters (REST paging + entities): ${summary(result.times)}`);
      console.log(`target under 2000 ms: ${median(result.times) < 2000 ? 'met' : 'missed'}`);
      console.log(`provider peak RSS: ${result.peakRssMb.toFixed(0)} MB`);
    } finally {
      backend.stop();
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
