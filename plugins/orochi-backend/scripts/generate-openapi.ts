// Writes src/schema/openapi.yaml and src/schema/openapi.generated.ts from orochi-common's route table.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openApiFiles } from '../src/schema/openApiFiles';

for (const [path, contents] of Object.entries(openApiFiles())) {
  writeFileSync(join(__dirname, '..', path), contents);
  process.stdout.write(`wrote ${path}\n`);
}
