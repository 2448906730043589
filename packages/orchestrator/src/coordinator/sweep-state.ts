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
import { plansAdaptively } from './adaptive-step.js';

export interface SweepStateOptions {
  /** The adaptive step has just returned nothing new: an adaptive sweep may now be done. */
  settled?: boolean;
}

/**
 * Derives a sweep's state from its runs (done once no run is waiting or training, failed instead when each
 * of them failed; a cancelled sweep stays cancelled) and stores it when it changed; returns the 'sweep'
 * event to append, if any. An adaptive sweep whose runs have all ended stays running until its decision
 * step settles: it may still add runs.
 */
export function refreshSweepState(
  store: Store,
  sweepId: string,
  options: SweepStateOptions = {},
): NewEvent | undefined {
  const sweep = findSweep(store, sweepId);
  if (!sweep || sweep.state === 'cancelled') return undefined;
  const runs = countRunsByState(store, sweepId);
  const unfinished = UNFINISHED_RUN_STATES.reduce((sum, state) => sum + (runs[state] ?? 0), 0);
  const ended = TERMINAL_RUN_STATES.reduce((sum, state) => sum + (runs[state] ?? 0), 0);
  // A settled sweep stays ended: nothing that arrives after its last run ended adds runs to it.
  const mayFinish =
    options.settled === true ||
    sweep.state === 'done' ||
    sweep.state === 'failed' ||
    !plansAdaptively(sweep.spec);
  const next: SweepState =
    unfinished > 0
      ? (runs.running ?? 0) > 0
        ? 'running'
        : 'queued'
      : !mayFinish
        ? 'running'
        : ended > 0 && (runs.failed ?? 0) === ended
          ? 'failed'
          : 'done';
  if (next === sweep.state) return undefined;
  setSweepState(store, sweepId, next);
  return { sweepId, kind: 'sweep', payload: { state: next, runs } };
}
