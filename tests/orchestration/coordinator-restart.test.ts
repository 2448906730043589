import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TrainQueue } from '@isoflop/queue';
import type { Store } from '@isoflop/store';
import {
  Coordinator,
  COORDINATOR_MAIN,
  doneEventCounts,
  fixtureText,
  FIXTURES,
  obliterate,
  openStore,
  processEnv,
  runStates,
  sandbox,
  spawnNode,
  waitFor,
  WORKER_MAIN,
  type Sandbox,
} from './harness.js';

describe('the coordinator killed and restarted mid-sweep', () => {
  const redisUrl = inject('redisUrl');
  let box: Sandbox;
  let store: Store;
  beforeAll(() => {
    box = sandbox('coordinator-kill');
    store = openStore(box.dbFile);
  });
  afterAll(async () => {
    store.close();
    await obliterate(redisUrl, box.prefix);
    box.cleanup();
  });

  it('records every result finished while it was down exactly once', async () => {
    const env = processEnv(box, redisUrl);
    let coordinatorProcess = spawnNode(COORDINATOR_MAIN, [], env);
    const submitter = Coordinator.open({
      store,
      redisUrl,
      prefix: box.prefix,
      log: () => undefined,
    });
    const { sweepId, plan } = await submitter.submit(fixtureText('tiny.yaml'), 'yaml', {
      baseDir: FIXTURES,
    });
    await submitter.close();
    const worker = spawnNode(WORKER_MAIN, [], env);
    const queue = new TrainQueue({ redisUrl, prefix: box.prefix });
    try {
      await waitFor('the coordinator to record a running run', () =>
        Object.values(runStates(store, sweepId)).includes('running') ? true : undefined,
      );
      await coordinatorProcess.kill('SIGKILL');
      // Every run finishes while no coordinator listens.
      for (;;) {
        const counts = await queue.counts();
        if (counts['completed'] === plan.runs.length) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(Object.values(runStates(store, sweepId))).not.toEqual(plan.runs.map(() => 'done'));

      coordinatorProcess = spawnNode(COORDINATOR_MAIN, [], env);
      await waitFor('the restarted coordinator to record the sweep as done', () =>
        (
          store.sqlite.prepare('SELECT state FROM sweeps WHERE id = ?').get(sweepId) as {
            state: string;
          }
        ).state === 'done'
          ? true
          : undefined,
      );
    } finally {
      await worker.kill('SIGTERM');
      await coordinatorProcess.kill('SIGTERM');
      await queue.close();
    }
    expect(runStates(store, sweepId)).toEqual(
      Object.fromEntries(plan.runs.map((run) => [run.id, 'done'])),
    );
    expect([...doneEventCounts(store, sweepId).values()]).toEqual(plan.runs.map(() => 1));
  });
});
