import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLI,
  FIXTURES,
  openStore,
  sandbox,
  spawnNode,
  sweepEvents,
  waitFor,
  type Sandbox,
} from './harness.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('isoflop run (the embedded default)', () => {
  let box: Sandbox;
  const env: NodeJS.ProcessEnv = { ...process.env, ISOFLOP_THREADS: '1' };
  delete env['REDIS_URL'];
  beforeAll(() => {
    box = sandbox('cli-run');
  });
  afterAll(() => box.cleanup());

  it('stops everything on Ctrl-C, resumes from the checkpoint on the next run, and prints the summary', async () => {
    // A long run (about 1,000 steps): a 200-step one could finish before the Ctrl-C reached it (seen in CI).
    const spec = join(FIXTURES, 'one-long-run.yaml');
    const first = spawnNode(CLI, ['run', spec, '--db', box.dbFile], env, box.dir);
    const store = openStore(box.dbFile);
    try {
      const stoppedAfter = await waitFor('the run to train past a checkpoint', () => {
        const row = store.sqlite.prepare('SELECT last_step AS step FROM runs').get() as
          { step: number | null } | undefined;
        const step = row?.step ?? 0;
        return step >= 22 ? step : undefined;
      });
      const pidFile = join(box.dir, '.isoflop/redis/isoflop-redis.pid');
      const { pid } = JSON.parse(readFileSync(pidFile, 'utf8')) as { pid: number };
      await first.kill('SIGINT');
      expect(first.child.exitCode, first.output()).toBe(130);
      expect(first.output()).toContain('run the same command again to resume');
      // The private redis-server it started is stopped, its pid file removed; its append-only data stays
      // for the next run.
      expect(alive(pid)).toBe(false);
      expect(existsSync(pidFile)).toBe(false);
      expect(existsSync(join(box.dir, '.isoflop/redis/appendonlydir'))).toBe(true);
      expect(store.sqlite.prepare('SELECT state FROM runs').get()).toEqual({ state: 'queued' });

      const again = spawnNode(
        CLI,
        ['run', spec, '--db', box.dbFile, '--workers', '2'],
        env,
        box.dir,
      );
      expect(await again.exited, again.output()).toBe(0);
      expect(again.output()).toMatch(/1 runs, resuming \(0 already finished\), 2 worker\(s\)/);
      expect(again.output()).toMatch(/^arm +6\.00e8 +3072 +\d+ +done +\d\.\d{4} ± /m);
      expect(again.output()).toMatch(/dashboard: isoflop serve --db /);

      // The second run's worker started from the checkpoint, not from step 0.
      const sweepId = (store.sqlite.prepare('SELECT id FROM sweeps').get() as { id: string }).id;
      const events = sweepEvents(store, sweepId);
      const restart = events.findLastIndex(
        (event) => (event.payload as { attempt?: number }).attempt !== undefined,
      );
      // Its first trained step, past what it replayed from the checkpoint.
      const resumedAt = events.slice(restart).find((event) => {
        const payload = event.payload as { kind: string; replayed?: boolean };
        return event.kind === 'progress' && payload.kind === 'train' && payload.replayed !== true;
      });
      expect((resumedAt?.payload as { step: number }).step).toBeGreaterThan(stoppedAfter - 10);
      expect((resumedAt?.payload as { step: number }).step).toBeGreaterThan(10);
    } finally {
      store.close();
      await first.kill('SIGKILL');
    }

    const status = spawnNode(CLI, ['status', '--db', box.dbFile, '--json'], env, box.dir);
    expect(await status.exited).toBe(0);
    expect(JSON.parse(status.output())).toEqual({
      sweeps: [
        {
          id: expect.stringMatching(/^sweep-/),
          name: 'orchestration-one-long-run',
          state: 'done',
          runs: { done: 1 },
        },
      ],
    });
  });
});
