import { resolve } from 'node:path';
import { corpusFileIssues } from '@isoflop/data';
import {
  parseSweepSpec,
  planSweep,
  SpecError,
  specFiles,
  withResolvedFiles,
  type Plan,
  type RunSpec,
  type SpecFormat,
} from '@isoflop/planner';
import {
  TrainQueue,
  watchTrainQueue,
  type JobSnapshot,
  type QueueLocation,
  type RetryPolicy,
  type TrainQueueWatch,
} from '@isoflop/queue';
import {
  appendEvents,
  cancelSweepRuns,
  findRunRows,
  FINAL_SWEEP_STATES,
  findSweep,
  getCursor,
  isStateIn,
  insertSweep,
  lastEventId,
  listEventsAfter,
  listSweepRuns,
  listUnfinishedRuns,
  markRunsQueued,
  RUN_STATES_WITH_RESULT,
  setSweepState,
  TERMINAL_RUN_STATES,
  type NewEvent,
  type Store,
  type StoredEvent,
  type SweepState,
} from '@isoflop/store';
import { OrchestratorError } from '../errors.js';
import { refreshSweepFit } from '../fits/refresh-sweep-fit.js';
import { EventRecorder, type RunEvent } from './event-recorder.js';
import { refreshFitInThread } from './fit-thread.js';
import { toNewRun } from './run-rows.js';
import { sweepIdOf } from './sweep-id.js';
import { refreshSweepState } from './sweep-state.js';

/**
 * Recomputes and stores a sweep's fit, appending its own 'fit' event (default: refreshSweepFit, on a worker
 * thread so that seconds of bootstrap never stall the event loop).
 */
export type FitRefresher = (store: Store, sweepId: string) => unknown;

export interface CoordinatorOptions extends QueueLocation {
  store: Store;
  retry?: RetryPolicy;
  /** Progress is written to SQLite in batches at most this far apart (default 250 ms). */
  flushIntervalMs?: number;
  refreshFit?: FitRefresher;
  /** Where problems that must not stop the coordinator are reported (default: stderr). */
  log?: (message: string) => void;
}

export interface SubmitOptions {
  /** Directory that relative corpus paths in the spec are resolved against (the spec file's). */
  baseDir?: string;
}

export interface SubmitResult {
  sweepId: string;
  plan: Plan;
  /** False when the same spec was stored before: the sweep resumes. */
  created: boolean;
}

/**
 * The only writer of SQLite. It stores submitted sweeps and enqueues their runs, records what the queue
 * reports (progress, results, failures) in batched transactions, refreshes fits as results arrive, and on
 * start reconciles the database with the queue so nothing that finished while it was down is lost.
 */
export class Coordinator {
  private readonly store: Store;
  private readonly queue: TrainQueue;
  private readonly recorder: EventRecorder;
  private readonly cursorName: string;
  private readonly listeners = new Set<(events: StoredEvent[]) => void>();
  private readonly log: (message: string) => void;
  private watch: TrainQueueWatch | undefined;
  private fitChain: Promise<void> = Promise.resolve();
  private readonly fitsWaiting = new Set<string>();
  private closed = false;

  private constructor(private readonly options: CoordinatorOptions) {
    this.store = options.store;
    this.queue = new TrainQueue(options);
    this.log =
      options.log ?? ((message) => process.stderr.write(`isoflop coordinator: ${message}\n`));
    this.cursorName = `queue-events:${this.queue.prefix}:${this.queue.name}`;
    this.recorder = new EventRecorder(this.store, {
      cursorName: this.cursorName,
      flushIntervalMs: options.flushIntervalMs ?? 250,
      maxPending: 500,
      onFlushed: (events, sweepsWithNewResults) => {
        this.notify(events);
        for (const sweepId of sweepsWithNewResults) this.scheduleFit(sweepId);
      },
    });
  }

  /** Starts following the queue from where the last coordinator stopped, then reconciles. */
  static async start(options: CoordinatorOptions): Promise<Coordinator> {
    const coordinator = new Coordinator(options);
    coordinator.watch = watchTrainQueue(options, {
      afterStreamId: getCursor(options.store, coordinator.cursorName),
      onEvent: (event) => coordinator.recorder.push(event),
      onError: (error) => coordinator.log(error.message),
    });
    await coordinator.watch.ready();
    await coordinator.reconcile();
    return coordinator;
  }

  /**
   * A coordinator that submits or cancels without following the queue (`isoflop submit` and `cancel`
   * next to a running `isoflop serve`, whose coordinator records what the workers report).
   */
  static open(options: CoordinatorOptions): Coordinator {
    return new Coordinator(options);
  }

  /**
   * Validates and plans a spec (SpecError, with nothing written, when it is invalid), stores the sweep and
   * its runs in one transaction and enqueues every run that has no result yet. The same spec again
   * resumes the stored sweep.
   */
  async submit(
    specText: string,
    format: SpecFormat = 'yaml',
    options: SubmitOptions = {},
  ): Promise<SubmitResult> {
    const parsed = parseSweepSpec(specText, format);
    const spec =
      options.baseDir === undefined
        ? parsed
        : withResolvedFiles(parsed, (file) => resolve(options.baseDir ?? '.', file));
    // Refused before anything is stored or enqueued: a worker must never be handed /dev/zero or a FIFO.
    const refused = corpusFileIssues(specFiles(spec), { requireExisting: false });
    if (refused.length > 0) throw new SpecError(refused);
    const plan = planSweep(spec);
    const sweepId = sweepIdOf(spec);
    const { created } = this.store.transaction(() => {
      const inserted = insertSweep(
        this.store,
        { id: sweepId, name: spec.name, specText, specFormat: format, spec, dropped: plan.dropped },
        plan.runs.map(toNewRun),
      );
      if (!inserted.created) setSweepState(this.store, sweepId, 'queued');
      return inserted;
    });
    const waiting = new Set(
      listSweepRuns(this.store, sweepId)
        .filter((row) => !isStateIn(RUN_STATES_WITH_RESULT, row.state))
        .map((row) => row.id),
    );
    const runs = plan.runs.filter((run) => waiting.has(run.id));
    await this.queue.enqueue(runs, this.options.retry);
    this.commit(() => {
      markRunsQueued(
        this.store,
        runs.map((run) => run.id),
        sweepId,
      );
      const events: NewEvent[] = [
        {
          sweepId,
          kind: 'sweep',
          payload: { state: 'queued', submitted: true, created, runs: plan.runs.length },
        },
      ];
      const sweepEvent = refreshSweepState(this.store, sweepId);
      if (sweepEvent) events.push(sweepEvent);
      return events;
    });
    return { sweepId, plan, created };
  }

  /** Cancels a sweep (by id or name): waiting runs leave the queue, training ones stop at their next step. */
  async cancel(sweepIdOrName: string): Promise<{ sweepId: string; cancelled: number }> {
    const sweep = findSweep(this.store, sweepIdOrName);
    if (!sweep)
      throw new OrchestratorError('SWEEP_NOT_FOUND', `no sweep with id or name '${sweepIdOrName}'`);
    let cancelled: string[] = [];
    this.commit(() => {
      cancelled = cancelSweepRuns(this.store, sweep.id, Date.now());
      setSweepState(this.store, sweep.id, 'cancelled');
      return [
        ...cancelled.map((runId): NewEvent => ({
          sweepId: sweep.id,
          runId,
          kind: 'run',
          payload: { runId, state: 'cancelled' },
        })),
        { sweepId: sweep.id, kind: 'sweep', payload: { state: 'cancelled' } },
      ];
    });
    // A run that another unfinished sweep shares keeps training for that sweep.
    const exclusive = cancelled.filter((runId) =>
      findRunRows(this.store, runId).every(
        (row) => row.sweepId === sweep.id || isStateIn(TERMINAL_RUN_STATES, row.state),
      ),
    );
    await this.queue.cancel(exclusive);
    return { sweepId: sweep.id, cancelled: cancelled.length };
  }

  /**
   * Brings SQLite up to date with the queue: results and failures recorded while the coordinator was away
   * are written (once: finished rows are not touched again), and runs the queue no longer has (Redis lost
   * its data, or a submit died before enqueueing) are enqueued again.
   */
  async reconcile(): Promise<void> {
    const unfinished = listUnfinishedRuns(this.store);
    const runIds = [...new Set(unfinished.map((row) => row.id))];
    const snapshots = await this.queue.snapshot(runIds);
    const missing: RunSpec[] = [];
    const missingBySweep = new Map<string, string[]>();
    for (const row of unfinished) {
      const snapshot = snapshots.get(row.id);
      if (snapshot?.state !== 'missing') continue;
      const ids = missingBySweep.get(row.sweepId) ?? [];
      ids.push(row.id);
      missingBySweep.set(row.sweepId, ids);
    }
    for (const [runId, snapshot] of snapshots) {
      const event = this.reconciledEvent(runId, snapshot);
      if (event) this.recorder.push(event);
      if (snapshot.state === 'missing') {
        const spec = findRunRows(this.store, runId)[0]?.spec as RunSpec | undefined;
        if (spec) missing.push(spec);
      }
    }
    this.recorder.flush();
    if (missing.length === 0) return;
    this.log(`re-enqueueing ${missing.length} run(s) the queue does not have`);
    await this.queue.enqueue(missing, this.options.retry);
    this.commit(() => {
      for (const [sweepId, ids] of missingBySweep) markRunsQueued(this.store, ids, sweepId);
      return [];
    });
  }

  private reconciledEvent(runId: string, snapshot: JobSnapshot): RunEvent | undefined {
    switch (snapshot.state) {
      case 'completed':
        return { type: 'completed', runId, result: snapshot.result };
      case 'failed':
        return { type: 'failed', runId, failure: snapshot.failure };
      case 'active':
        return { type: 'active', runId };
      case 'waiting':
        return findRunRows(this.store, runId).some((row) => row.state === 'running')
          ? { type: 'requeued', runId, reason: 'stalled' }
          : undefined;
      case 'missing':
        return undefined;
    }
  }

  /** Listeners get the stored events (with their ids) after each committed batch. */
  onEvents(listener: (events: StoredEvent[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The HTTP live feed's hook: called whenever events were appended. */
  onEventsAppended(listener: () => void): () => void {
    return this.onEvents(() => listener());
  }

  /** Resolves with the sweep's final state (done or cancelled) once it has one. */
  whenSweepFinished(sweepId: string): Promise<SweepState> {
    return new Promise((resolvePromise) => {
      const check = (): boolean => {
        const state = findSweep(this.store, sweepId)?.state;
        if (state === undefined || !isStateIn(FINAL_SWEEP_STATES, state)) return false;
        resolvePromise(state);
        return true;
      };
      if (check()) return;
      const stop = this.onEvents((events) => {
        if (events.some((event) => event.sweepId === sweepId && event.kind === 'sweep') && check())
          stop();
      });
    });
  }

  /** Resolves once every fit refresh scheduled so far (and any it led to) has finished. */
  async fitsSettled(): Promise<void> {
    let chain: Promise<void>;
    do {
      chain = this.fitChain;
      await chain;
    } while (chain !== this.fitChain);
  }

  /** Writes pending progress, waits for fit refreshes, stops following the queue. The store stays open. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.watch?.close();
    this.recorder.close();
    await this.fitChain;
    await this.queue.close();
  }

  private commit(write: () => NewEvent[]): void {
    const stored = this.store.transaction(() => appendEvents(this.store, write()));
    this.notify(stored);
  }

  private notify(events: StoredEvent[]): void {
    if (events.length === 0) return;
    for (const listener of this.listeners) listener(events);
  }

  /**
   * Fits are refreshed one at a time, after the batch that recorded the result has committed; results that
   * arrive while a refresh of the same sweep waits its turn are covered by that refresh.
   */
  private scheduleFit(sweepId: string): void {
    if (this.fitsWaiting.has(sweepId)) return;
    this.fitsWaiting.add(sweepId);
    const refreshFit =
      this.options.refreshFit ??
      (this.store.file === ':memory:'
        ? refreshSweepFit
        : (store: Store, id: string) => refreshFitInThread(store, id));
    this.fitChain = this.fitChain.then(async () => {
      this.fitsWaiting.delete(sweepId);
      try {
        const before = lastEventId(this.store);
        await refreshFit(this.store, sweepId);
        // Only the refresh's own events: results flushed while it ran were delivered by their flush.
        this.notify(
          listEventsAfter(this.store, sweepId, before).filter((event) => event.kind === 'fit'),
        );
      } catch (error) {
        this.log(`fit of ${sweepId} failed: ${(error as Error).message}`);
      }
    });
  }
}
