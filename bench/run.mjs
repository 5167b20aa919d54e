// Runs Orochi's benchmarks one after another and prints their figures. `./orochi bench [name...]`.
import { catalogProvider } from './catalogProvider.mjs';
import { localDriverCreate } from './localDriverCreate.mjs';

const benchmarks = { 'local-driver-create': localDriverCreate, 'catalog-provider': catalogProvider };
const selected = process.argv.slice(2);
for (const [name, run] of Object.entries(benchmarks)) {
  if (selected.length && !selected.includes(name)) continue;
  console.log(`\n== ${name}`);
  await run();
}
