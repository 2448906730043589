import type { z } from 'zod';
import type { SpecIssue } from '../errors.js';
import { UNKNOWN_FAMILY } from '../sweep-spec.js';

/** `families.mdm-prime-v2.base`, `sizes.shapes[2].nHeads`: dotted keys, bracketed indices. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

function lowerFirst(message: string): string {
  return message.charAt(0).toLowerCase() + message.slice(1);
}

/**
 * A union (a budget list or a budget range) that failed every branch: when only one branch had the right
 * type, its issues name the bad field (`budgets[0]`, not `budgets`).
 */
function matchedBranch(issue: z.core.$ZodIssueInvalidUnion): z.core.$ZodIssue[] | undefined {
  const typed = issue.errors.filter(
    (branch) => !branch.some((inner) => inner.code === 'invalid_type' && inner.path.length === 0),
  );
  const [only] = typed;
  if (typed.length !== 1 || only === undefined || only.length === 0) return undefined;
  return only.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }));
}

/** Zod issues as `{path, message}` pairs, one per bad field (an unknown key becomes its own path). */
export function toSpecIssues(issues: readonly z.core.$ZodIssue[]): SpecIssue[] {
  const out: SpecIssue[] = [];
  for (const issue of issues) {
    const branch = issue.code === 'invalid_union' ? matchedBranch(issue) : undefined;
    if (branch !== undefined) {
      out.push(...toSpecIssues(branch));
      continue;
    }
    if (issue.code === 'unrecognized_keys') {
      const generic = issue.message.startsWith('Unrecognized key');
      for (const key of issue.keys) {
        out.push({
          path: formatPath([...issue.path, key]),
          message: generic ? 'unknown field' : issue.message,
        });
      }
      continue;
    }
    // Zod reports a missing discriminator at the discriminator's path; a `families` key without `family:`
    // is wrong as a whole (`families.gpt: unknown family`), as it was before variants existed.
    const path = issue.message === UNKNOWN_FAMILY ? issue.path.slice(0, -1) : issue.path;
    // Zod's default texts read "Invalid input: expected number, received string"; keep the useful part.
    const message = issue.message.replace(/^Invalid input: /, '').replace(/^Too (small|big): /, '');
    out.push({ path: formatPath(path), message: lowerFirst(message) });
  }
  return out;
}
