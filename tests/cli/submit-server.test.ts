import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TrainQueue } from '@isoflop/queue';
import { Coordinator } from '@isoflop/orchestrator';
import { buildServer, type IsoflopServer } from '@isoflop/server';
import { getSweep, listSweeps } from '@isoflop/store';
import { tempStore } from '../server/support/temp-store.js';

// Spawns the built CLI against a real server, coordinator, Redis and SQLite in this process: the CLI must
// not block this event loop, so it runs asynchronously (`npm test` builds first; build by hand otherwise).
const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'apps/cli/bin/isoflop.js');
const spec = join(root, 'tests/orchestration/fixtures/one-run.yaml');
const redisUrl = inject('redisUrl');
const prefix = `test-cli-server-${process.pid}-${Date.now().toString(36)}`;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The CLI, by default with neither REDIS_URL nor a database of its own: with --server, only the server can
 * have written anything.
 */
function isoflop(extraEnv: Record<string, string>, ...args: string[]): Promise<CliResult> {
  const env = { ...process.env };
  delete env['REDIS_URL'];
  delete env['ISOFLOP_SERVER'];
  Object.assign(env, extraEnv);
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: '/', env }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const TOKEN = 'a-long-enough-test-token';
const scratch = mkdtempSync(join(tmpdir(), 'isoflop-cli-server-'));
let temp: ReturnType<typeof tempStore>;
let coordinator: Coordinator;
let server: IsoflopServer;
let guarded: IsoflopServer;
let url: string;

beforeAll(async () => {
  temp = tempStore();
  coordinator = await Coordinator.start({
    store: temp.store,
    redisUrl,
    prefix,
    log: () => undefined,
  });
  server = await buildServer({ store: temp.store, coordinator, port: 0 });
  guarded = await buildServer({
    store: temp.store,
    coordinator,
    host: '0.0.0.0',
    port: 0,
    token: TOKEN,
  });
  url = await server.listen();
});

afterAll(async () => {
  await server?.close();
  await guarded?.close();
  await coordinator?.close();
  rmSync(scratch, { recursive: true, force: true });
  temp?.dispose();
  const queue = new TrainQueue({ redisUrl, prefix });
  await queue.obliterate();
  await queue.close();
});

describe('isoflop submit and cancel --server', () => {
  let sweepId: string;

  it('submits through the server, with corpus paths resolved against the spec file', async () => {
    const result = await isoflop({}, 'submit', spec, '--server', url, '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as {
      sweepId: string;
      runs: number;
      created: boolean;
    };
    expect(printed).toMatchObject({ runs: 1, created: true });
    sweepId = printed.sweepId;
    const stored = getSweep(temp.store, sweepId);
    expect(stored?.name).toBe('orchestration-one-run');
    expect(JSON.stringify(stored?.spec)).toContain(
      join(root, 'tests/orchestration/fixtures/corpus.jsonl'),
    );
    expect(stored?.runs).toEqual({ queued: 1 });
  });

  it('gives the same sweep id as a direct submit, so either way a resubmission resumes', async () => {
    const direct = await isoflop(
      { REDIS_URL: redisUrl, ISOFLOP_QUEUE_PREFIX: prefix },
      'submit',
      spec,
      '--db',
      temp.file,
    );
    expect(direct.stdout).toBe(`resubmitted sweep orchestration-one-run (${sweepId}): 1 runs\n`);
    const again = await isoflop({}, 'submit', spec, '--server', url);
    expect(again.stdout).toBe(`resubmitted sweep orchestration-one-run (${sweepId}): 1 runs\n`);
  });

  it('refuses an invalid spec before sending it, naming the field', async () => {
    const invalid = join(scratch, 'invalid.yaml');
    writeFileSync(
      invalid,
      readFileSync(spec, 'utf8').replace('budgets: [1.2e+8]', 'budgets: [-5]'),
    );
    const result = await isoflop({}, 'submit', invalid, '--server', url);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/budgets/);
    expect(listSweeps(temp.store)).toHaveLength(1);
  });

  it('sends $ISOFLOP_TOKEN to a server that requires it, and reports its refusal without', async () => {
    const port = new URL(await guarded.listen()).port;
    const guardedUrl = `http://127.0.0.1:${port}`;
    const refused = await isoflop({}, 'submit', spec, '--server', guardedUrl);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/answered 401: UNAUTHORIZED/);
    const accepted = await isoflop(
      { ISOFLOP_TOKEN: TOKEN },
      'submit',
      spec,
      '--server',
      guardedUrl,
    );
    expect(accepted.stdout).toBe(`resubmitted sweep orchestration-one-run (${sweepId}): 1 runs\n`);
  });

  it('says which server it cannot reach, and exits 1', async () => {
    const result = await isoflop({}, 'submit', spec, '--server', 'http://127.0.0.1:9');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: --server: cannot reach http:\/\/127\.0\.0\.1:9: /);
    const bad = await isoflop({}, 'submit', spec, '--server', 'not a url');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--server: expected an http\(s\) URL/);
  });

  it('cancels by sweep name through the server', async () => {
    const result = await isoflop({}, 'cancel', 'orchestration-one-run', '--server', url);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`cancelled sweep ${sweepId}: 1 run(s) cancelled, state cancelled\n`);
    expect(getSweep(temp.store, sweepId)?.state).toBe('cancelled');
    const unknown = await isoflop({}, 'cancel', 'no-such-sweep', '--server', url);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no sweep with id or name 'no-such-sweep'/);
  });
});
