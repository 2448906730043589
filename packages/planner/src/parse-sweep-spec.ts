import { parseDocument } from 'yaml';
import { SpecError } from './errors.js';
import { toSpecIssues } from './internal/format-issues.js';
import { SPEC_LIMITS } from './spec-limits.js';
import { sweepSpecSchema, type SweepSpec } from './sweep-spec.js';

/** Aliases a YAML spec may expand: anchors are a convenience, not a way to multiply a document. */
const YAML_MAX_ALIASES = 100;

export type SpecFormat = 'yaml' | 'json';

/** The parsed document's nesting depth, counted without recursion (a hostile document may be 100k deep). */
function depthExceeds(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= limit) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * Whether YAML text nests past `limit` before it is parsed: the YAML parser recurses per level, so a
 * document 100k brackets deep takes seconds and can exhaust the stack. Counts flow brackets, and the
 * columns of indentation and compact `- ` entries that open block levels.
 */
function yamlNestingExceeds(text: string, limit: number): boolean {
  let flow = 0;
  let lineStart = true;
  let column = 0;
  for (const char of text) {
    if (char === '\n') {
      lineStart = true;
      column = 0;
      continue;
    }
    if (lineStart) {
      if (char === ' ' || char === '-' || char === '?' || char === '\t') {
        column += 1;
        // A block level takes at least two columns; real specs indent a few levels.
        if (column > 4 * limit) return true;
        continue;
      }
      lineStart = false;
    }
    if (char === '[' || char === '{') {
      flow += 1;
      if (flow > limit) return true;
    } else if ((char === ']' || char === '}') && flow > 0) flow -= 1;
  }
  return false;
}

function nestingError(): SpecError {
  return new SpecError([
    { path: '', message: `expected a document nested at most ${SPEC_LIMITS.depth} levels deep` },
  ]);
}

function parseText(text: string, format: SpecFormat): unknown {
  if (text.length > SPEC_LIMITS.textLength) {
    throw new SpecError([
      {
        path: '',
        message: `expected a spec of at most ${SPEC_LIMITS.textLength} characters, got ${text.length}`,
      },
    ]);
  }
  if (format === 'json') {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new SpecError([{ path: '', message: `not valid JSON: ${(error as Error).message}` }], {
        cause: error,
      });
    }
  }
  if (yamlNestingExceeds(text, SPEC_LIMITS.depth)) throw nestingError();
  try {
    const document = parseDocument(text, { prettyErrors: false });
    if (document.errors.length > 0) {
      throw new SpecError(
        document.errors.map((error) => ({ path: '', message: `not valid YAML: ${error.message}` })),
        { cause: document.errors[0] },
      );
    }
    // toJS throws on an undefined alias and on alias expansion past maxAliasCount (a "billion laughs").
    return document.toJS({ maxAliasCount: YAML_MAX_ALIASES }) as unknown;
  } catch (error) {
    if (error instanceof SpecError) throw error;
    // Also RangeError from a document nested deeper than the parser's stack.
    throw new SpecError([{ path: '', message: `not valid YAML: ${(error as Error).message}` }], {
      cause: error,
    });
  }
}

/** Validate an already-parsed spec object (e.g. an HTTP request body). */
export function validateSweepSpec(value: unknown): SweepSpec {
  if (depthExceeds(value, SPEC_LIMITS.depth)) throw nestingError();
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
