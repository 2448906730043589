import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, FIXTURES, sandbox, spawnNode, type Sandbox } from './harness.js';

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

  it('runs a sweep through its own Redis, prints the summary, and resumes instead of starting over', async () => {
    const spec = join(FIXTURES, 'tiny.yaml');
    const first = spawnNode(CLI, ['run', spec, '--db', box.dbFile, '--workers', '2'], env, box.dir);
    expect(await first.exited, first.output()).toBe(0);
    expect(first.output()).toMatch(/^arm +3\.00e7 +3072 +\d+ +done +\d\.\d{4} ± /m);
    expect(first.output()).toMatch(/dashboard: isoflop serve --db /);

    // Everything it started is stopped: the private redis-server is gone.
    const pid = Number(readFileSync(join(box.dir, '.isoflop/redis/isoflop-redis.pid'), 'utf8'));
    expect(alive(pid)).toBe(false);
    expect(existsSync(join(box.dir, '.isoflop/redis/appendonlydir'))).toBe(true);

    const status = spawnNode(CLI, ['status', '--db', box.dbFile, '--json'], env, box.dir);
    expect(await status.exited).toBe(0);
    const { sweeps } = JSON.parse(status.output()) as {
      sweeps: { id: string; name: string; state: string; runs: Record<string, number> }[];
    };
    expect(sweeps).toEqual([
      {
        id: expect.stringMatching(/^sweep-/),
        name: 'orchestration-tiny',
        state: 'done',
        runs: { done: 2 },
      },
    ]);

    const again = spawnNode(CLI, ['run', spec, '--db', box.dbFile], env, box.dir);
    expect(await again.exited, again.output()).toBe(0);
    expect(again.output()).toContain(`${sweeps[0]!.id}): 2 runs, resuming (2 already finished)`);
  });
});
