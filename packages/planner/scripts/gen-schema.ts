// Writes sweep-spec.schema.json from the zod schema; src/json-schema.test.ts fails when it is stale.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sweepSpecJsonSchemaText } from '../src/json-schema.js';

const target = fileURLToPath(new URL('../sweep-spec.schema.json', import.meta.url));
writeFileSync(target, sweepSpecJsonSchemaText());
process.stdout.write(`wrote ${target}\n`);
