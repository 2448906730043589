// Writes sweep-spec.schema.json from the zod schema, formatted as the repository's prettier config says;
// src/json-schema.test.ts fails when the committed file is stale.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { sweepSpecJsonSchema } from '../src/json-schema.js';

const target = fileURLToPath(new URL('../sweep-spec.schema.json', import.meta.url));
const options = (await resolveConfig(target)) ?? {};
writeFileSync(
  target,
  await format(JSON.stringify(sweepSpecJsonSchema()), { ...options, filepath: target }),
);
process.stdout.write(`wrote ${target}\n`);
