import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sweepSpecJsonSchema } from './json-schema.js';

describe('published JSON Schema', () => {
  it('matches the zod schema (run `npm run -w @isoflop/planner gen:schema` when this fails)', () => {
    const committed = readFileSync(new URL('../sweep-spec.schema.json', import.meta.url), 'utf8');
    // Compared as data, so formatting the file does not make it stale.
    expect(JSON.parse(committed)).toEqual(sweepSpecJsonSchema());
  });

  it('describes the families, budgets and sizes a user writes', () => {
    const schema = sweepSpecJsonSchema() as {
      required: string[];
      properties: {
        families: {
          properties: Record<string, unknown>;
          additionalProperties: { oneOf: { required: string[] }[] };
        };
      };
    };
    expect(schema.required).toEqual(
      expect.arrayContaining(['name', 'families', 'budgets', 'sizes']),
    );
    expect(Object.keys(schema.properties.families.properties)).toEqual([
      'arm',
      'mdm',
      'mdm-prime-v2',
    ]);
    // Any other key is a named variant, which must say its family.
    const variants = schema.properties.families.additionalProperties.oneOf;
    expect(variants.map((variant) => variant.required)).toEqual([
      ['family'],
      ['family'],
      ['family'],
    ]);
  });
});
