// Entry for catalogProvider.mjs: `seed <sqlite directory>` or `measure <orochi base url>` (prints JSON).
import { measure, seed } from './catalogProviderFullMutation';

const [command, argument] = process.argv.slice(2);
(command === 'seed' ? seed(argument) : measure(argument).then(result => process.stdout.write(JSON.stringify(result)))).catch(error => {
  console.error(error);
  process.exit(1);
});
