import { z } from 'zod';
import { sweepSpecSchema } from './sweep-spec.js';

/** The sweep spec as JSON Schema (draft 2020-12), describing what a user may write (defaults optional). */
export function sweepSpecJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(sweepSpecSchema, {
      io: 'input',
      target: 'draft-2020-12',
      unrepresentable: 'any',
    }),
    title: 'isoflop sweep spec',
  };
}
