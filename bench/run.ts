// Runs Orochi's benchmarks one after another and prints their figures: `./orochi bench [name...]`.
import { autoscaler } from './autoscaler';
import { billing } from './billing';
import { branches } from './branches';
import { catalogProvider } from './catalogProvider';
import { databasesPage } from './databasesPage';
import { listClusters } from './listClusters';
import { localDriverCreate } from './localDriverCreate';
import { proxyOverhead } from './proxy';
import { wake } from './wake';

const benchmarks: Record<string, () => Promise<void>> = {
  'local-driver-create': localDriverCreate,
  'catalog-provider': catalogProvider,
  'databases-page': databasesPage,
  branches,
  wake,
  proxy: proxyOverhead,
  autoscaler,
  billing,
  'list-clusters': listClusters,
};

async function main() {
  const selected = process.argv.slice(2);
  for (const [name, run] of Object.entries(benchmarks)) {
    if (selected.length && !selected.includes(name)) continue;
    console.log(`\n== ${name}`);
    await run();
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
