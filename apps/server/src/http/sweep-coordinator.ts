import type { Plan } from '@isoflop/planner';

/**
 * What the HTTP layer needs from the coordinator: submitting and cancelling sweeps, and (optionally) a
 * signal that it appended events, so the live feed delivers them without waiting for its next poll.
 * Without a coordinator the server is read-only: mutating routes answer 409 NO_COORDINATOR.
 */
export interface SweepCoordinator {
  submit(specText: string, format: 'yaml' | 'json'): Promise<{ sweepId: string; plan: Plan }>;
  cancel(sweepId: string): Promise<unknown>;
  onEventsAppended?(listener: () => void): () => void;
  /** Training workers connected now; without it a plan preview gives no wall-time estimate. */
  workerCount?(): Promise<number>;
}
