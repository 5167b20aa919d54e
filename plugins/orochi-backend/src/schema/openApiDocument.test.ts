import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openApiFiles } from './openApiFiles';

describe('the OpenAPI document', () => {
  it.each(Object.entries(openApiFiles()))('is committed as generated: %s (run npm run generate:openapi)', (path, generated) => {
    expect(readFileSync(join(__dirname, '..', '..', path), 'utf8')).toBe(generated);
  });
});
