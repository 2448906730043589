import { parseDocument } from 'yaml';
import { SpecError } from './errors.js';
import { toSpecIssues } from './internal/format-issues.js';
import { sweepSpecSchema, type SweepSpec } from './sweep-spec.js';

export type SpecFormat = 'yaml' | 'json';

function parseText(text: string, format: SpecFormat): unknown {
  if (format === 'json') {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new SpecError([{ path: '', message: `not valid JSON: ${(error as Error).message}` }], {
        cause: error,
      });
    }
  }
  const document = parseDocument(text, { prettyErrors: false });
  if (document.errors.length > 0) {
    throw new SpecError(
      document.errors.map((error) => ({ path: '', message: `not valid YAML: ${error.message}` })),
      { cause: document.errors[0] },
    );
  }
  return document.toJS() as unknown;
}

/** Validate an already-parsed spec object (e.g. an HTTP request body). */
export function validateSweepSpec(value: unknown): SweepSpec {
  const result = sweepSpecSchema.safeParse(value);
  if (!result.success)
    throw new SpecError(toSpecIssues(result.error.issues), { cause: result.error });
  return result.data;
}

/**
 * Parse and validate a sweep spec written as YAML (the default; JSON is YAML too) or strict JSON.
 * Throws SpecError listing every bad field as `<path>: <what was expected>`.
 */
export function parseSweepSpec(text: string, format: SpecFormat = 'yaml'): SweepSpec {
  return validateSweepSpec(parseText(text, format));
}
