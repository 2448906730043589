import {
  countRunsByState,
  findSweep,
  setSweepState,
  TERMINAL_RUN_STATES,
  UNFINISHED_RUN_STATES,
  type NewEvent,
  type Store,
  type SweepState,
} from '@isoflop/store';

/**
 * Derives a sweep's state from its runs (done once no run is waiting or training, failed instead when each
 * of them failed; a cancelled sweep stays cancelled) and stores it when it changed; returns
 * the 'sweep' event to append, if any.
 */
export function refreshSweepState(store: Store, sweepId: string): NewEvent | undefined {
  const sweep = findSweep(store, sweepId);
  if (!sweep || sweep.state === 'cancelled') return undefined;
  const runs = countRunsByState(store, sweepId);
  const unfinished = UNFINISHED_RUN_STATES.reduce((sum, state) => sum + (runs[state] ?? 0), 0);
  const ended = TERMINAL_RUN_STATES.reduce((sum, state) => sum + (runs[state] ?? 0), 0);
  const next: SweepState =
    unfinished > 0
      ? (runs.running ?? 0) > 0
        ? 'running'
        : 'queued'
      : ended > 0 && (runs.failed ?? 0) === ended
        ? 'failed'
        : 'done';
  if (next === sweep.state) return undefined;
  setSweepState(store, sweepId, next);
  return { sweepId, kind: 'sweep', payload: { state: next, runs } };
}
