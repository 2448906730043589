import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TrainQueue } from '@isoflop/queue';
import {
  CLI,
  COORDINATOR_MAIN,
  doneEventCounts,
  openTestBed,
  processEnv,
  runStates,
  spawnNode,
  submitBeside,
  sweepEvents,
  sweepState,
  waitFor,
  WORKER_MAIN,
  type TestBed,
} from './harness.js';

interface RunRow {
  id: string;
  budget: number;
  params: number;
  loss: number | null;
  state: string;
}

/** Whether the lowest loss of each budget has a sampled size on either side of it. */
function bracketedBudgets(rows: readonly RunRow[]): Map<number, boolean> {
  const byBudget = new Map<number, RunRow[]>();
  for (const row of rows) {
    if (row.state !== 'done' || row.loss === null) continue;
    byBudget.set(row.budget, [...(byBudget.get(row.budget) ?? []), row]);
  }
  const bracketed = new Map<number, boolean>();
  for (const [budget, runs] of byBudget) {
    const sorted = [...runs].sort((p, q) => p.params - q.params);
    const best = sorted.reduce((b, run, i) => (run.loss! < sorted[b]!.loss! ? i : b), 0);
    bracketed.set(budget, best > 0 && best < sorted.length - 1);
  }
  return bracketed;
}

describe('an adaptive sweep under a coordinator killed and restarted mid-sweep', () => {
  const redisUrl = inject('redisUrl');
  let bed: TestBed;
  beforeAll(() => {
    bed = openTestBed('adaptive', redisUrl);
  });
  afterAll(() => bed.close());

  it('adds the runs that bracket an unbracketed minimum, once each, and settles bracketed', async () => {
    const { box, store } = bed;
    const env = processEnv(box, redisUrl);
    let coordinatorProcess = spawnNode(COORDINATOR_MAIN, [], env);
    const { sweepId, plan } = await submitBeside(bed, redisUrl, 'adaptive.yaml');
    const planned = new Set(plan.runs.map((run) => run.id));
    const rowsOf = (): RunRow[] =>
      store.sqlite
        .prepare(
          'SELECT id, budget_flops AS budget, params, val_loss AS loss, state FROM runs WHERE sweep_id = ?',
        )
        .all(sweepId) as RunRow[];
    // The planned grid is unbracketed: the test is only meaningful if its minimum lies at an edge.
    const worker = spawnNode(WORKER_MAIN, [], env);
    const queue = new TrainQueue({ redisUrl, prefix: box.prefix });
    let completedJobs: number | undefined;
    try {
      await waitFor(
        'the first run added by the adaptive step',
        () => (rowsOf().some((row) => !planned.has(row.id)) ? true : undefined),
        120_000,
        20,
      );
      const plannedRows = rowsOf().filter((row) => planned.has(row.id));
      expect([...bracketedBudgets(plannedRows).values()]).toContain(false);
      // Killed right after it stored an added run: that run may or may not be in the queue yet.
      await coordinatorProcess.kill('SIGKILL');
      coordinatorProcess = spawnNode(COORDINATOR_MAIN, [], env);
      await waitFor(
        'the restarted coordinator to settle the sweep',
        () => (sweepState(store, sweepId) === 'done' ? true : undefined),
        240_000,
        200,
      );
      completedJobs = (await queue.counts())['completed'];
    } finally {
      await worker.kill('SIGTERM');
      await coordinatorProcess.kill('SIGTERM');
      await queue.close();
    }

    const rows = rowsOf();
    const added = rows.filter((row) => !planned.has(row.id));
    expect(added.length).toBeGreaterThan(0);
    // Every run, planned or added, trained to a result once: nothing lost, nothing duplicated.
    expect(Object.values(runStates(store, sweepId)).every((state) => state === 'done')).toBe(true);
    expect([...doneEventCounts(store, sweepId).values()]).toEqual(rows.map(() => 1));
    expect(completedJobs).toBe(rows.length);
    const stored = store.sqlite
      .prepare('SELECT run_count AS runCount FROM sweeps WHERE id = ?')
      .get(sweepId) as { runCount: number };
    expect(stored.runCount).toBe(rows.length);

    // One 'add' decision per added run, with its reason; then the step settled, once, last.
    const decisions = sweepEvents(store, sweepId)
      .filter((event) => event.kind === 'decision')
      .map(
        (event) =>
          event.payload as { type: string; runId?: string; rule?: string; message?: string },
      );
    const adds = decisions.filter((decision) => decision.type === 'add');
    expect(adds.map((decision) => decision.runId).sort()).toEqual(
      added.map((row) => row.id).sort(),
    );
    for (const decision of adds) {
      expect(decision.rule).toBe('bracket');
      expect(decision.message).toMatch(/\w/);
    }
    expect(decisions.filter((decision) => decision.type === 'settled')).toHaveLength(1);
    expect(decisions.at(-1)?.type).toBe('settled');

    expect([...bracketedBudgets(rows).values()].every(Boolean)).toBe(true);

    // The surfaces list the added runs and why, beside the contracts' keys.
    const status = spawnNode(CLI, ['status', sweepId, '--db', box.dbFile, '--json'], env);
    expect(await status.exited, status.output()).toBe(0);
    const [sweep] = (JSON.parse(status.output()) as { sweeps: Record<string, unknown>[] }).sweeps;
    expect(Object.keys(sweep!)).toEqual(
      expect.arrayContaining(['id', 'name', 'state', 'runs', 'added', 'limits']),
    );
    expect((sweep!['added'] as { runId: string }[]).map((entry) => entry.runId).sort()).toEqual(
      added.map((row) => row.id).sort(),
    );
    const exported = spawnNode(
      CLI,
      ['export', sweepId, '--db', box.dbFile, '--format', 'json'],
      env,
    );
    expect(await exported.exited, exported.output()).toBe(0);
    const document = JSON.parse(exported.output()) as {
      families: Record<string, unknown>;
      decisions: { type: string }[];
      runs: { id: string; variant: string; added_rule: string | null }[];
    };
    expect(document.runs).toHaveLength(rows.length);
    expect(document.decisions.filter((decision) => decision.type === 'add')).toHaveLength(
      added.length,
    );
    for (const run of document.runs) {
      expect(run.variant).toBe('arm');
      expect(run.added_rule === null).toBe(planned.has(run.id));
    }
  });
});
