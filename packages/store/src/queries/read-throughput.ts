import { and, desc, eq, gt, isNotNull } from 'drizzle-orm';
import type { Store } from '../open-store.js';
import { runs } from '../schema.js';

/** How fast this store's finished runs trained, for estimating how long a planned sweep will take. */
export interface MeasuredThroughput {
  /** Finished runs the figure comes from (the newest ones, at most `limit`). */
  runs: number;
  /**
   * Their planned compute over their wall time (evaluations included): one worker's FLOP/s. Compute,
   * not tokens, per second, so that the rate of small models carries over to larger ones.
   */
  flopsPerSecond: number;
  /** Their trained tokens over their wall time, as the runs table reports it. */
  tokensPerSecond: number;
}

/** The throughput of the newest `limit` runs that finished training; undefined when none has. */
export function measuredThroughput(store: Store, limit = 200): MeasuredThroughput | undefined {
  const rows = store.db
    .select({
      flops: runs.achievedFlops,
      tokens: runs.trainedTokens,
      wallSeconds: runs.wallSeconds,
    })
    .from(runs)
    .where(and(eq(runs.state, 'done'), isNotNull(runs.wallSeconds), gt(runs.wallSeconds, 0)))
    .orderBy(desc(runs.finishedAt))
    .limit(limit)
    .all();
  if (rows.length === 0) return undefined;
  let flops = 0;
  let tokens = 0;
  let seconds = 0;
  for (const row of rows) {
    flops += row.flops;
    tokens += row.tokens ?? 0;
    seconds += row.wallSeconds ?? 0;
  }
  return { runs: rows.length, flopsPerSecond: flops / seconds, tokensPerSecond: tokens / seconds };
}
