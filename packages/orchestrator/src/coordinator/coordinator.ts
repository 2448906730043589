import { resolve } from 'node:path';
import { corpusFileIssues } from '@isoflop/data';
import {
  parseSweepSpec,
  planSweep,
  SpecError,
  specFiles,
  withResolvedFiles,
  type AdaptiveLimit,
  type AdaptiveStep,
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
  addSweepRuns,
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
  listSweeps,
  listUnfinishedRuns,
  markRunsQueued,
  RUN_STATES_WITH_RESULT,
  setSweepState,
  sweepDecisions,
  TERMINAL_RUN_STATES,
  type NewEvent,
  type Store,
  type StoredEvent,
  type SweepState,
} from '@isoflop/store';
import { OrchestratorError } from '../errors.js';
import { refreshSweepFit } from '../fits/refresh-sweep-fit.js';
import { plansAdaptively } from './adaptive-step.js';
import { decideStepInThread } from './adaptive-thread.js';
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

/** What a 'decision' event records: a run the adaptive step added, a limit it reached, or that it settled. */
export type DecisionPayload =
  | {
      type: 'add';
      runId: string;
      variant: string;
      budgetFlops: number;
      params: number;
      tokens: number;
      rule: string;
      code: string;
      message: string;
    }
  | ({ type: 'limit' } & AdaptiveLimit)
  | { type: 'settled'; runs: number; message: string };

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
  private stepChain: Promise<void> = Promise.resolve();
  private readonly stepsWaiting = new Set<string>();
  private reconcileChain: Promise<void> = Promise.resolve();
  private reconcileWaiting = false;
  private stopReconnectWatch: (() => void) | undefined;
  /** Started (follows the queue): only such a coordinator runs adaptive steps. */
  private following = false;
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
        // A run that ended without a result (failed, diverged) may be the last one the step waits for.
        for (const event of events) {
          const state = (event.payload as { state?: unknown }).state;
          if (event.kind === 'run' && TERMINAL_RUN_STATES.includes(state as never))
            this.scheduleStep(event.sweepId);
        }
      },
      log: (message) => this.log(message),
    });
  }

  /** Starts following the queue from where the last coordinator stopped, then reconciles. */
  static async start(options: CoordinatorOptions): Promise<Coordinator> {
    const coordinator = new Coordinator(options);
    coordinator.following = true;
    coordinator.watch = watchTrainQueue(options, {
      afterStreamId: getCursor(options.store, coordinator.cursorName),
      onEvent: (event) => coordinator.recorder.push(event),
      onError: (error) => coordinator.log(error.message),
    });
    await coordinator.watch.ready();
    await coordinator.reconcile();
    // After an outage longer than a lock, runs whose lock expired show `running` until BullMQ's stall
    // check (a lock duration or two later) hands them out again, while their workers take other runs.
    coordinator.stopReconnectWatch = coordinator.queue.onReconnect(() =>
      coordinator.scheduleReconcile(),
    );
    // A step cut short by a restart (results recorded, step not yet applied) is taken up again.
    for (const sweep of listSweeps(options.store)) {
      if (!isStateIn(FINAL_SWEEP_STATES, sweep.state)) coordinator.scheduleStep(sweep.id);
    }
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
    // A resumed adaptive sweep whose runs have all ended needs a step to add runs or to finish.
    if (plansAdaptively(spec)) this.scheduleStep(sweepId);
    return { sweepId, plan, created };
  }

  /** Training workers connected to the queue now (the dashboard's plan preview estimates with it). */
  async workerCount(): Promise<number> {
    return this.queue.workerCount();
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
    const shownRunning = (): boolean =>
      findRunRows(this.store, runId).some((row) => row.state === 'running');
    switch (snapshot.state) {
      case 'completed':
        return { type: 'completed', runId, result: snapshot.result };
      case 'failed':
        return { type: 'failed', runId, failure: snapshot.failure };
      case 'active':
        if (snapshot.locked) return { type: 'active', runId };
        // No worker holds it (its lock expired, say while Redis was away): nothing trains it, and the
        // stall check will hand it out again, so it waits like a queued run.
        return shownRunning() ? { type: 'requeued', runId, reason: 'stalled' } : undefined;
      case 'waiting':
        return shownRunning() ? { type: 'requeued', runId, reason: 'stalled' } : undefined;
      case 'missing':
        return undefined;
    }
  }

  /** Reconciles again once Redis is back; one waiting reconcile covers every reconnect before it starts. */
  private scheduleReconcile(): void {
    if (this.closed || this.reconcileWaiting) return;
    this.reconcileWaiting = true;
    this.reconcileChain = this.reconcileChain.then(async () => {
      this.reconcileWaiting = false;
      if (this.closed) return;
      try {
        await this.reconcile();
      } catch (error) {
        this.log(
          `reconciling with the queue after a reconnect failed: ${(error as Error).message}`,
        );
      }
    });
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

  /** Resolves once every fit refresh and adaptive step scheduled so far (and any they led to) has finished. */
  async fitsSettled(): Promise<void> {
    let fits: Promise<void>;
    let steps: Promise<void>;
    do {
      fits = this.fitChain;
      steps = this.stepChain;
      await Promise.all([fits, steps]);
    } while (fits !== this.fitChain || steps !== this.stepChain);
  }

  /** Writes pending progress, waits for fit refreshes, stops following the queue. The store stays open. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopReconnectWatch?.();
    await this.reconcileChain;
    await this.watch?.close();
    this.recorder.close();
    await Promise.all([this.fitChain, this.stepChain]);
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

  /**
   * Adaptive steps run one at a time, on a thread, after the batch that ended a run has committed; like
   * fits, one waiting step of a sweep covers every result that lands before it starts. Only a running
   * coordinator (one that follows the queue) decides: `Coordinator.open` never grows a sweep.
   */
  private scheduleStep(sweepId: string): void {
    if (!this.following || this.closed || this.stepsWaiting.has(sweepId)) return;
    this.stepsWaiting.add(sweepId);
    this.stepChain = this.stepChain.then(async () => {
      this.stepsWaiting.delete(sweepId);
      if (this.closed) return;
      try {
        const step = await decideStepInThread(this.store, sweepId);
        if (step) await this.applyStep(sweepId, step);
      } catch (error) {
        this.log(`adaptive step of ${sweepId} failed: ${(error as Error).message}`);
      }
    });
  }

  /**
   * Stores the runs a step added together with one 'decision' event each (and each limit not recorded
   * before), in one transaction, then enqueues them. Run ids are stable and stored rows are skipped, so a
   * step replayed after a restart adds and records nothing twice; rows stored but not enqueued when the
   * coordinator died are enqueued by the next reconcile. A step that adds nothing new settles the sweep.
   */
  private async applyStep(sweepId: string, step: AdaptiveStep): Promise<void> {
    const added: RunSpec[] = [];
    this.commit(() => {
      const sweep = findSweep(this.store, sweepId);
      if (!sweep || isStateIn(FINAL_SWEEP_STATES, sweep.state)) return [];
      const fresh = new Set(
        addSweepRuns(
          this.store,
          sweepId,
          step.add.map((entry) => toNewRun(entry.run)),
        ),
      );
      const events: NewEvent[] = [];
      for (const { run, reason } of step.add) {
        if (!fresh.has(run.id)) continue;
        fresh.delete(run.id);
        added.push(run);
        const payload: DecisionPayload = {
          type: 'add',
          runId: run.id,
          variant: run.variant,
          budgetFlops: run.budgetFlops,
          params: run.params,
          tokens: run.tokens,
          rule: reason.rule,
          code: reason.code,
          message: reason.message,
        };
        events.push({ sweepId, runId: run.id, kind: 'decision', payload });
      }
      const recorded = new Set(
        sweepDecisions(this.store, sweepId)
          .map((event) => event.payload as DecisionPayload)
          .filter((payload) => payload.type === 'limit')
          .map(limitKey),
      );
      for (const limit of step.limits) {
        const key = limitKey(limit);
        if (recorded.has(key)) continue;
        recorded.add(key);
        const payload: DecisionPayload = { type: 'limit', ...limit };
        events.push({ sweepId, kind: 'decision', payload });
      }
      const sweepEvent = refreshSweepState(this.store, sweepId, { settled: added.length === 0 });
      const endedAs = (sweepEvent?.payload as { state?: string } | undefined)?.state;
      if (endedAs === 'done' || endedAs === 'failed') {
        const payload: DecisionPayload = {
          type: 'settled',
          runs: sweep.runCount,
          message: 'every run has ended and the adaptive step adds nothing more',
        };
        events.push({ sweepId, kind: 'decision', payload });
      }
      if (sweepEvent) events.push(sweepEvent);
      return events;
    });
    if (added.length === 0) return;
    const ids = added.map((run) => run.id);
    // Ahead of the waiting grid: the step judges a group only once its runs have results.
    await this.queue.enqueue(added, this.options.retry, 'first');
    let cancelled = false;
    this.commit(() => {
      cancelled = findSweep(this.store, sweepId)?.state === 'cancelled';
      if (cancelled) return [];
      markRunsQueued(this.store, ids, sweepId);
      const sweepEvent = refreshSweepState(this.store, sweepId);
      return sweepEvent ? [sweepEvent] : [];
    });
    // A cancel that landed while the runs were being enqueued cancelled their rows: take the jobs back.
    if (cancelled) await this.queue.cancel(ids);
  }
}

/** Identifies a limit across steps, so each is recorded once however often the step repeats it. */
function limitKey(limit: AdaptiveLimit): string {
  return [limit.rule, limit.code, limit.variant, limit.budgetFlops ?? ''].join('|');
}
