import { chinchillaInitGrid } from '@isoflop/fit';
import { parseSweepSpec, planSweep, type Family, type RunSpec } from '@isoflop/planner';
import { refreshSweepFit, toNewRun } from '@isoflop/orchestrator';
import {
  appendEvents,
  insertMetrics,
  insertSweep,
  markRunRunning,
  markRunsQueued,
  recordRunResult,
  setRunLastStep,
  setSweepState,
  type MetricRow,
  type NewSweepEvent,
  type Store,
} from '@isoflop/store';
import { TEST_SWEEP_YAML } from './test-spec.js';

/**
 * Synthetic but realistic final losses: a Chinchilla law per family (L = E + A/N^α + B/D^β) whose optima
 * sit inside the test grid, with MDM wanting smaller models than ARM, plus small deterministic noise.
 * Prime's J sits below its bound K, as the paper notes say it does.
 */
const LAWS: Record<Family, { E: number; A: number; B: number; alpha: number; beta: number }> = {
  arm: { E: 3.0, A: 34, B: 80, alpha: 0.3, beta: 0.3 },
  mdm: { E: 3.4, A: 31, B: 80, alpha: 0.3, beta: 0.3 },
  'mdm-prime-v2': { E: 3.25, A: 33, B: 80, alpha: 0.3, beta: 0.3 },
};
const PRIME_J_GAP = 0.35;

/**
 * Every 50th start of Chinchilla's grid: on these synthetic laws the fit lands on the same optimum as
 * with all 4,500 starts, at a twentieth of the time, which keeps the suite fast.
 */
export const TEST_FIT_INITS = chinchillaInitGrid().filter((_, index) => index % 50 === 0);
const TRAIN_POINTS = 40;
const EVAL_POINTS = 5;
const INITIAL_LOSS = 6.3;

function noise(index: number): number {
  return Math.sin(index * 12.9898) * 0.004;
}

export function syntheticLoss(run: RunSpec, index: number): number {
  const law = LAWS[run.family];
  return law.E + law.A / run.params ** law.alpha + law.B / run.tokens ** law.beta + noise(index);
}

/** The training loss curve of a run at a fraction of its steps: fast early descent to its final value. */
function curveLoss(finalLoss: number, fraction: number): number {
  return finalLoss + (INITIAL_LOSS - finalLoss) * Math.exp(-6 * fraction);
}

export function progressRows(
  run: RunSpec,
  finalLoss: number,
  upTo: number,
  index: number,
): MetricRow[] {
  const rows: MetricRow[] = [];
  const recordedAt = Date.now();
  for (let i = 1; i <= TRAIN_POINTS; i++) {
    const step = Math.round((run.steps * i) / TRAIN_POINTS);
    if (step > upTo) break;
    const fraction = step / run.steps;
    rows.push({
      runId: run.id,
      kind: 'train',
      step,
      tokens: step * run.batchSize * run.shape.seqLen,
      loss: curveLoss(finalLoss - 0.02, fraction) + noise(index * 100 + i) * 3,
      lr: 2e-4,
      recordedAt,
    });
  }
  for (let i = 1; i <= EVAL_POINTS; i++) {
    const step = Math.round((run.steps * i) / EVAL_POINTS);
    if (step > upTo) break;
    const valLoss = curveLoss(finalLoss, step / run.steps);
    rows.push({
      runId: run.id,
      kind: 'eval',
      step,
      tokens: step * run.batchSize * run.shape.seqLen,
      valLoss,
      valLossStdErr: 0.01,
      ...(run.family === 'mdm-prime-v2'
        ? { primeObjective: valLoss - PRIME_J_GAP, primeObjectiveStdErr: 0.01 }
        : {}),
      recordedAt,
    });
  }
  return rows;
}

export interface SeededSweep {
  sweepId: string;
  runs: RunSpec[];
  /** The runs left running (with half their progress recorded), for live-update tests. */
  running: RunSpec[];
}

/**
 * Stores the test sweep through the store's write functions, the way the coordinator records a sweep:
 * planned, queued, running with progress, then results; the last `leaveRunning` runs stop halfway.
 * Then computes and stores the real fit with @isoflop/fit (with `bootstrap` resamples, for intervals).
 */
export function seedSweep(
  store: Store,
  options: { leaveRunning?: number; bootstrap?: number; fit?: boolean; spec?: unknown } = {},
): SeededSweep {
  const plan = planSweep(parseSweepSpec(TEST_SWEEP_YAML, 'yaml'));
  const sweepId = 'sweep-dashboard-test';
  const runs = plan.runs;
  const leaveRunning = options.leaveRunning ?? 0;
  const running = runs.slice(runs.length - leaveRunning);
  store.transaction(() => {
    insertSweep(
      store,
      {
        id: sweepId,
        name: plan.sweepName,
        specText: TEST_SWEEP_YAML,
        specFormat: 'yaml',
        spec: options.spec ?? {},
        dropped: plan.dropped,
      },
      runs.map(toNewRun),
    );
    markRunsQueued(
      store,
      runs.map((run) => run.id),
      sweepId,
    );
    runs.forEach((run, index) => {
      const finalLoss = syntheticLoss(run, index);
      markRunRunning(store, run.id, { attempts: 1, startedAt: Date.now() });
      const isRunning = running.includes(run);
      const upTo = isRunning ? Math.floor(run.steps / 2) : run.steps;
      const rows = progressRows(run, finalLoss, upTo, index);
      insertMetrics(store, rows);
      setRunLastStep(store, run.id, Math.max(...rows.map((row) => row.step)));
      const events: NewSweepEvent[] = [
        { sweepId, runId: run.id, kind: 'run', payload: { runId: run.id, state: 'running' } },
      ];
      if (!isRunning) {
        const last = rows.filter((row) => row.kind === 'train').at(-1);
        recordRunResult(
          store,
          run.id,
          {
            valLoss: finalLoss,
            valLossStdErr: 0.01,
            ...(run.family === 'mdm-prime-v2'
              ? { primeObjective: finalLoss - PRIME_J_GAP, primeObjectiveStdErr: 0.01 }
              : {}),
            finalTrainLoss: last?.loss ?? finalLoss,
            steps: run.steps,
            tokens: run.tokens,
            wallSeconds: 10,
            tokensPerSecond: run.tokens / 10,
          },
          Date.now(),
        );
        events.push({
          sweepId,
          runId: run.id,
          kind: 'run',
          payload: { runId: run.id, state: 'done' },
        });
      }
      appendEvents(store, events);
    });
  });
  setSweepState(store, sweepId, running.length > 0 ? 'running' : 'done');
  if (options.fit ?? true)
    refreshSweepFit(store, sweepId, { bootstrap: options.bootstrap ?? 0, seed: 1 });
  return { sweepId, runs, running };
}
