export * from './run-spec.js';
export { SpecError, type PlannerErrorCode, type SpecIssue } from './errors.js';
