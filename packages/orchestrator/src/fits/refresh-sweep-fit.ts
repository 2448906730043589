import {
  FitError,
  fitRuns,
  type Approach2Estimator,
  type FitDocument,
  type FitOptions,
} from '@isoflop/fit';
import type { SweepSpec } from '@isoflop/planner';
import {
  appendEvents,
  getSweep,
  latestFit,
  saveFit,
  sweepEvalPoints,
  sweepRuns,
  type Store,
} from '@isoflop/store';
import { OrchestratorError } from '../errors.js';
import { fitFingerprint } from './fit-fingerprint.js';
import { fitRowsOf } from './fit-rows.js';

/** Bootstrap resamples of a sweep fit: enough for stable 95% intervals on the exponents. */
export const SWEEP_FIT_BOOTSTRAP = 200;

export interface SweepFitOptions {
  bootstrap?: number;
  seed?: number;
  /** Approach-3 L-BFGS starts (default: @isoflop/fit's, Chinchilla's 4,500-point grid). */
  inits?: readonly ArrayLike<number>[];
  /** Approach-2 estimator, overriding the sweep spec's `fit.estimator` (default: the spec's, else parabola). */
  estimator?: Approach2Estimator;
}

/** The sweep spec's fit options (its `fit` block), with `estimator` overriding the spec's. */
function specFitOptions(store: Store, sweepId: string, estimator?: Approach2Estimator): FitOptions {
  const { estimator: specEstimator, ...rest } =
    (getSweep(store, sweepId)?.spec as Partial<SweepSpec> | undefined)?.fit ?? {};
  const chosen = estimator ?? specEstimator;
  // Options of the spec's estimator do not carry over to another one.
  if (chosen !== specEstimator) return { estimator: chosen! };
  return { ...(chosen === undefined ? {} : { estimator: chosen }), ...rest };
}

export interface SweepFitResult {
  /** Whether a new fit was computed and stored (false: the stored one already covers these runs). */
  refreshed: boolean;
  fingerprint: string;
  runCount: number;
  document: FitDocument;
}

/**
 * Brings a sweep's stored fit up to date with its finished runs. The coordinator calls it on each
 * finished run; when the finished runs are the ones the newest stored fit was computed from, the stored
 * fit is returned as it is. A new fit is stored together with a 'fit' event in one transaction, so the
 * dashboard's stream announces exactly the fits that exist. Returns undefined while the finished runs
 * cannot be fitted yet (none, or too few for Approach 2 and Approach 3 in every family).
 */
export function refreshSweepFit(
  store: Store,
  sweepId: string,
  options: SweepFitOptions = {},
): SweepFitResult | undefined {
  const approach2 = specFitOptions(store, sweepId, options.estimator);
  // Porian et al. compare runs at exactly their budget: only the akima estimator reads the curves.
  const evaluations = approach2.estimator === 'akima' ? sweepEvalPoints(store, sweepId) : undefined;
  const rows = fitRowsOf(sweepRuns(store, sweepId), evaluations);
  if (rows.length === 0) return undefined;
  const fingerprint = fitFingerprint(rows);
  const stored = latestFit(store, sweepId);
  if (stored && fitFingerprint(stored.data) === fingerprint) {
    return {
      refreshed: false,
      fingerprint,
      runCount: stored.runCount,
      document: stored.document as FitDocument,
    };
  }
  const fitOptions: FitOptions = {
    ...approach2,
    bootstrap: options.bootstrap ?? SWEEP_FIT_BOOTSTRAP,
    seed: options.seed ?? 0,
    contours: true,
    ...(options.inits === undefined ? {} : { inits: options.inits }),
  };
  let document: FitDocument;
  try {
    document = fitRuns(rows, fitOptions);
  } catch (error) {
    // Early in a sweep no family has enough finished runs for either approach: no fit yet, not a failure.
    if (error instanceof FitError && error.code === 'NOTHING_TO_FIT') return undefined;
    throw new OrchestratorError(
      'FIT_FAILED',
      `sweep ${sweepId}: fit failed: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  store.transaction(() => {
    const fitId = saveFit(store, sweepId, document, rows);
    appendEvents(store, [
      { sweepId, kind: 'fit', payload: { fitId, fingerprint, runCount: rows.length } },
    ]);
  });
  return { refreshed: true, fingerprint, runCount: rows.length, document };
}
