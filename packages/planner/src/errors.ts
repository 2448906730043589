/**
 * What each code means: `input` (the caller's input is wrong; never retried, the CLI exits 2), `transient`
 * (may succeed if tried again), `permanent` (will not); `status`, where the code can reach HTTP.
 */
export const PLANNER_ERRORS = {
  INVALID_SPEC: { kind: 'input', status: 400 },
} as const satisfies Record<string, { kind: 'input' | 'transient' | 'permanent'; status?: number }>;
export type PlannerErrorCode = keyof typeof PLANNER_ERRORS;

/** One problem in a sweep spec: the dotted field path and what was expected there. */
export interface SpecIssue {
  path: string;
  message: string;
}

/** A sweep spec that does not validate; `issues` lists every problem, the message one per line. */
export class SpecError extends Error {
  readonly code: PlannerErrorCode = 'INVALID_SPEC';
  readonly issues: readonly SpecIssue[];

  constructor(issues: readonly SpecIssue[], options?: { cause?: unknown }) {
    super(
      `invalid sweep spec:\n${issues.map((issue) => `  ${issue.path || '(root)'}: ${issue.message}`).join('\n')}`,
      options,
    );
    this.name = 'SpecError';
    this.issues = issues;
  }
}
