// The JSON documents the page reads, typed from the packages that define them (the store's rows and
// event union), so a change to a contract fails the page's type check instead of its users.
import type {
  RUN_STATES,
  RUN_STATES_WITH_RESULT,
  RunDetail,
  RunListItem,
  StoredMetric,
  SweepDetail,
  SweepEvent,
  SweepEventPayload,
  SweepSummary,
} from '@isoflop/store';

export type Run = RunListItem;
export type RunStates = typeof RUN_STATES;
export type RunStatesWithResult = typeof RUN_STATES_WITH_RESULT;
export type { SweepEvent };

/** GET /api/sweeps */
export interface SweepList {
  sweeps: SweepSummary[];
}
export type Sweep = SweepSummary;

/** GET /api/sweeps/:id */
export type SweepWithCursor = SweepDetail & {
  lastEventId: number;
  /** the variants (spec keys) of the sweep's runs, by family */
  variants: string[];
  /** the budgets (FLOPs) of the sweep's runs, smallest first */
  budgets: number[];
};

/** GET /api/sweeps/:id/runs */
export interface RunPage {
  total: number;
  limit: number;
  offset: number;
  runs: Run[];
}

/** GET /api/sweeps/:id/runs/:run/metrics */
export interface RunMetrics {
  runId: string;
  downsampled: boolean;
  totalPoints: number;
  metrics: StoredMetric[];
}
export type { StoredMetric };

/** GET /api/sweeps/:id/runs/:run/events */
export interface RunEvents {
  run: RunDetail;
  events: SweepEvent[];
}

/** GET /api/sweeps/:id/decisions */
export interface DecisionList {
  decisions: SweepEventPayload<'decision'>[];
}
export type Decision = SweepEventPayload<'decision'>;

/** What a chart is drawn from. */
export interface ChartNeeds {
  runs: boolean;
  curves: boolean;
  fit: boolean;
}

/** GET /api/sweeps/:id/charts */
export interface ChartList {
  charts: string[];
  needs: Record<string, ChartNeeds>;
}

/** GET /api/vocabulary (where the server has it): the names the page offers in its filters. */
export interface Vocabulary {
  families: string[];
  runStates: string[];
  charts?: string[];
}
