import type { TrainQueueEvent } from '@isoflop/queue';
import {
  appendEvents,
  findRunRows,
  insertMetrics,
  markRunRetrying,
  markRunRunning,
  recordRunFailure,
  recordRunResult,
  setCursor,
  setRunLastStep,
  type MetricRow,
  type NewEvent,
  type RunFailure,
  type Store,
  type StoredEvent,
  type SweepEventPayload,
} from '@isoflop/store';
import { refreshSweepState } from './sweep-state.js';

type WithoutStream<T> = T extends unknown
  ? Omit<T, 'streamId'> & { streamId?: string | undefined }
  : never;
/** A queue event, or the same fact found by a reconcile (which has no stream position). */
export type RunEvent = WithoutStream<TrainQueueEvent>;

export interface RecorderOptions {
  /** The cursor row that keeps the last recorded stream id. */
  cursorName: string;
  flushIntervalMs: number;
  /** Flush at once when this many events are waiting. */
  maxPending: number;
  /** After each flush: the events appended, and the sweeps that gained a finished result. */
  onFlushed: (events: StoredEvent[], sweepsWithNewResults: ReadonlySet<string>) => void;
  /** Where a write that SQLite refused for now (disk full, locked) and its recovery are reported. */
  log: (message: string) => void;
}

/** Milliseconds between attempts while SQLite refuses writes. */
const RETRY_MS = 1000;

/**
 * SQLite refusing writes for a while (a full disk, a lock held past the busy timeout, an I/O error):
 * the batch is kept and tried again, since the queue's events cannot be asked for twice while we run.
 */
function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' && /^SQLITE_(FULL|BUSY|LOCKED|IOERR|READONLY|CANTOPEN)(_|$)/.test(code)
  );
}

/**
 * Turns queue events into SQLite writes, batched: events wait up to `flushIntervalMs` (or `maxPending`
 * events) and are then written in one transaction together with the stream position they reach, so a
 * coordinator killed at any point resumes from exactly where its last committed batch ended.
 */
export class EventRecorder {
  private pending: RunEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** The error of the last failed write, until a write succeeds again. */
  private stalled: unknown;
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly options: RecorderOptions,
  ) {}

  push(event: RunEvent): void {
    // An event the stream delivers while closing stays after the cursor: the next coordinator records it.
    if (this.closed) return;
    this.pending.push(event);
    // While stalled, the retry timer writes: a flush per event would retry a full disk per event.
    if (this.pending.length >= this.options.maxPending && this.stalled === undefined) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.options.flushIntervalMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const finished = new Set<string>();
    let stored: StoredEvent[];
    try {
      stored = this.write(batch, finished);
    } catch (error) {
      if (!isTransient(error)) throw error;
      // The transaction rolled back and the stream cursor did not move: nothing is lost, keep the order.
      this.pending = [...batch, ...this.pending];
      if (this.stalled === undefined) {
        this.options.log(
          `cannot record ${batch.length} queue event(s), retrying every ${RETRY_MS / 1000} s: ${(error as Error).message}`,
        );
      }
      this.stalled = error;
      this.timer = setTimeout(() => this.flush(), RETRY_MS);
      return;
    }
    if (this.stalled !== undefined) {
      this.options.log(`recording queue events again (${batch.length} were waiting)`);
      this.stalled = undefined;
    }
    this.options.onFlushed(stored, finished);
  }

  private write(batch: RunEvent[], finished: Set<string>): StoredEvent[] {
    return this.store.transaction(() => {
      const newEvents: NewEvent[] = [];
      const metricRows: MetricRow[] = [];
      const touched = new Set<string>();
      let streamId: string | undefined;
      for (const event of batch) {
        this.apply(event, newEvents, metricRows, touched, finished);
        streamId = event.streamId ?? streamId;
      }
      insertMetrics(this.store, metricRows);
      for (const sweepId of touched) {
        const sweepEvent = refreshSweepState(this.store, sweepId);
        if (sweepEvent) newEvents.push(sweepEvent);
      }
      if (streamId !== undefined) setCursor(this.store, this.options.cursorName, streamId);
      return appendEvents(this.store, newEvents);
    });
  }

  close(): void {
    this.closed = true;
    this.flush();
    // What a full disk still refuses stays after the stream cursor: the next coordinator records it.
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private apply(
    event: RunEvent,
    newEvents: NewEvent[],
    metricRows: MetricRow[],
    touched: Set<string>,
    finished: Set<string>,
  ): void {
    const now = Date.now();
    const { runId } = event;
    const runEvents = (
      sweepIds: readonly string[],
      payload: Omit<SweepEventPayload<'run'>, 'runId'>,
    ): void => {
      for (const sweepId of sweepIds) {
        touched.add(sweepId);
        newEvents.push({ sweepId, runId, kind: 'run', payload: { runId, ...payload } });
      }
    };
    switch (event.type) {
      case 'active':
        runEvents(markRunRunning(this.store, runId, { startedAt: now }), { state: 'running' });
        return;
      case 'progress': {
        const { progress } = event;
        if (progress.kind === 'start') {
          const details = { worker: progress.worker, attempts: progress.attempt, startedAt: now };
          runEvents(markRunRunning(this.store, runId, details), {
            state: 'running',
            worker: progress.worker,
            attempt: progress.attempt,
          });
          return;
        }
        if (progress.kind === 'train') {
          metricRows.push({
            runId,
            kind: 'train',
            step: progress.step,
            tokens: progress.tokens,
            loss: progress.loss ?? undefined,
            lr: progress.lr,
            tokensPerSecond: progress.tokensPerSecond,
            gradNorm: progress.gradNorm ?? undefined,
            recordedAt: now,
          });
          setRunLastStep(this.store, runId, progress.step);
        } else {
          metricRows.push({
            runId,
            kind: 'eval',
            step: progress.step,
            tokens: progress.tokens,
            valLoss: progress.valLoss ?? undefined,
            valLossStdErr: progress.valLossStdErr ?? undefined,
            primeObjective: progress.primeObjective ?? undefined,
            primeObjectiveStdErr: progress.primeObjectiveStdErr ?? undefined,
            recordedAt: now,
          });
        }
        for (const row of findRunRows(this.store, runId)) {
          newEvents.push({ sweepId: row.sweepId, runId, kind: 'progress', payload: progress });
        }
        return;
      }
      case 'completed': {
        const changed = recordRunResult(this.store, runId, event.result, now);
        runEvents(changed, { state: 'done', result: event.result });
        for (const sweepId of changed) finished.add(sweepId);
        return;
      }
      case 'failed': {
        const { code, step, message } = event.failure;
        const failure: RunFailure = {
          state: code === 'DIVERGED' ? 'diverged' : code === 'CANCELLED' ? 'cancelled' : 'failed',
          error: `${code}: ${message}`,
          divergedStep: code === 'DIVERGED' ? step : undefined,
        };
        runEvents(recordRunFailure(this.store, runId, failure, now), {
          state: failure.state,
          error: failure.error,
          ...(failure.divergedStep === undefined ? {} : { divergedStep: failure.divergedStep }),
        });
        return;
      }
      case 'requeued': {
        const rows = findRunRows(this.store, runId);
        const attempts = Math.max(0, ...rows.map((row) => row.attempts));
        runEvents(markRunRetrying(this.store, runId, attempts, `requeued: ${event.reason}`), {
          state: 'queued',
          reason: event.reason,
        });
        return;
      }
      case 'removed':
        // Only a cancel removes our jobs, and the cancel already recorded it.
        return;
    }
  }
}
