import { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseSweepSpec, planSweep, withResolvedFiles } from '@isoflop/planner';
import { redisOptionsFromUrl, TRAIN_QUEUE, TrainQueue } from '@isoflop/queue';
import { fixtureText, obliterate, sandbox, type Sandbox } from './harness.js';

describe('enqueueing ahead of the waiting runs', () => {
  const redisUrl = inject('redisUrl');
  let box: Sandbox;
  beforeAll(() => {
    box = sandbox('queue-order');
  });
  afterAll(async () => {
    await obliterate(redisUrl, box.prefix);
    box.cleanup();
  });

  it("hands runs enqueued with order 'first' to the next worker before the grid", async () => {
    const spec = withResolvedFiles(parseSweepSpec(fixtureText('fit.yaml'), 'yaml'), (f) => f);
    const [a, b, c, d] = planSweep(spec).runs;
    const queue = new TrainQueue({ redisUrl, prefix: box.prefix });
    // A worker that only fetches when asked (no processor), so the order is read without training.
    const worker = new Worker(TRAIN_QUEUE, null, {
      connection: redisOptionsFromUrl(redisUrl),
      prefix: box.prefix,
    });
    try {
      await queue.enqueue([a!, b!, c!]);
      await queue.enqueue([d!], {}, 'first');
      const next = await worker.getNextJob('test-token');
      expect(next?.id).toBe(d!.id);
      await next?.moveToCompleted('ok', 'test-token', false);
      expect((await worker.getNextJob('test-token'))?.id).toBe(a!.id);
    } finally {
      await worker.close(true);
      await queue.close();
    }
  });
});
