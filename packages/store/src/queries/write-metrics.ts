import type { Statement } from 'better-sqlite3';
import type { Store } from '../open-store.js';
import type { MetricKind } from '../schema.js';

export interface MetricRow {
  runId: string;
  kind: MetricKind;
  step: number;
  tokens: number;
  loss?: number | undefined;
  lr?: number | undefined;
  tokensPerSecond?: number | undefined;
  gradNorm?: number | undefined;
  valLoss?: number | undefined;
  valLossStdErr?: number | undefined;
  primeObjective?: number | undefined;
  primeObjectiveStdErr?: number | undefined;
  recordedAt: number;
}

const UPSERT_METRIC = `
INSERT INTO metrics (run_id, kind, step, tokens, loss, lr, tokens_per_second, grad_norm, val_loss,
  val_loss_std_err, prime_objective, prime_objective_std_err, recorded_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (run_id, kind, step) DO UPDATE SET tokens = excluded.tokens, loss = excluded.loss,
  lr = excluded.lr, tokens_per_second = excluded.tokens_per_second, grad_norm = excluded.grad_norm,
  val_loss = excluded.val_loss, val_loss_std_err = excluded.val_loss_std_err,
  prime_objective = excluded.prime_objective, prime_objective_std_err = excluded.prime_objective_std_err,
  recorded_at = excluded.recorded_at`;

const statements = new WeakMap<Store, Statement<unknown[]>>();

/**
 * Writes metric rows; a step seen again (a retry repeating the steps after its checkpoint, or a replayed
 * queue event) replaces the earlier row. This is the ingest hot path, so it uses one prepared statement
 * rather than the query builder; call it inside a transaction to write a batch at once.
 */
export function insertMetrics(store: Store, rows: readonly MetricRow[]): void {
  let statement = statements.get(store);
  if (!statement) {
    statement = store.sqlite.prepare<unknown[]>(UPSERT_METRIC);
    statements.set(store, statement);
  }
  for (const row of rows) {
    statement.run(
      row.runId,
      row.kind,
      row.step,
      row.tokens,
      row.loss ?? null,
      row.lr ?? null,
      row.tokensPerSecond ?? null,
      row.gradNorm ?? null,
      row.valLoss ?? null,
      row.valLossStdErr ?? null,
      row.primeObjective ?? null,
      row.primeObjectiveStdErr ?? null,
      row.recordedAt,
    );
  }
}
