import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Coordinator } from '@isoflop/orchestrator';
import { openStore, sweepEventSchema, type Store, type StoredEvent } from '@isoflop/store';
import { cancelledKey, TRAIN_QUEUE, TrainQueue, type JobSnapshot } from '@isoflop/queue';
import { Redis } from 'ioredis';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES = join(ROOT, 'tests/orchestration/fixtures');
export const WORKER_MAIN = join(ROOT, 'apps/worker/dist/main.js');
export const COORDINATOR_MAIN = join(ROOT, 'packages/orchestrator/dist/coordinator/main.js');
export const CLI = join(ROOT, 'apps/cli/bin/isoflop.js');

/** A temp directory with the database, checkpoints and data cache of one test. */
export interface Sandbox {
  dir: string;
  dbFile: string;
  prefix: string;
  cleanup(): void;
}

export function sandbox(name: string): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), `isoflop-${name}-`));
  return {
    dir,
    dbFile: join(dir, 'isoflop.db'),
    prefix: `test-${name}-${process.pid}-${Date.now().toString(36)}`,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function fixtureText(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

/** Environment of worker and coordinator processes of a test: short locks so a killed worker's run returns soon. */
export function processEnv(
  box: Sandbox,
  redisUrl: string,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  return {
    ...process.env,
    REDIS_URL: redisUrl,
    ISOFLOP_QUEUE_PREFIX: box.prefix,
    ISOFLOP_DB: box.dbFile,
    ISOFLOP_CHECKPOINT_DIR: join(box.dir, 'checkpoints'),
    ISOFLOP_DATA_CACHE_DIR: join(box.dir, 'data'),
    ISOFLOP_THREADS: '1',
    ISOFLOP_LOCK_MS: '2000',
    ISOFLOP_SHUTDOWN_TIMEOUT_MS: '20000',
    ...extra,
  };
}

/** A child process in its own process group, so that a kill reaches its forked processors too. */
export interface Spawned {
  child: ChildProcess;
  output(): string;
  /** Signals the whole group and waits for the leader to exit. */
  kill(signal: NodeJS.Signals): Promise<void>;
  exited: Promise<number | null>;
}

export function spawnNode(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd = ROOT,
): Spawned {
  const child = spawn(process.execPath, [script, ...args], {
    env,
    cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    child,
    output: () => output,
    exited,
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        try {
          process.kill(-child.pid, signal);
        } catch {
          // Already gone.
        }
      }
      await exited;
    },
  };
}

/** A process's parent pid and state from /proc (undefined once it is gone). */
function procStat(pid: number): { ppid: number; state: string } | undefined {
  try {
    // "pid (comm) state ppid ...": comm may hold spaces, so read from the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: state ?? '', ppid: Number(ppid) };
  } catch {
    return undefined;
  }
}

/** The processes `parent` forked (its sandboxed training processes, for a worker). */
export function childrenOf(parent: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => procStat(pid)?.ppid === parent);
}

/** Alive: present and not a zombie (an orphan's corpse waiting for its new parent to reap it). */
export function aliveProcess(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}

/** Polls until `check` returns (or resolves to) a value, not undefined, or the time is up. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 60_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A test's sandbox and its store; `close` also removes the test's queue keys from `redisUrl`. */
export interface TestBed {
  box: Sandbox;
  store: Store;
  close(): Promise<void>;
}

export function openTestBed(name: string, redisUrl: string): TestBed {
  const box = sandbox(name);
  const store = openStore(box.dbFile);
  return {
    box,
    store,
    close: async () => {
      store.close();
      await obliterate(redisUrl, box.prefix);
      box.cleanup();
    },
  };
}

/** A test bed with an in-process coordinator that flushes often, so tests see rows soon. */
export interface CoordinatorBed extends TestBed {
  coordinator: Coordinator;
  /** The bed's training queue, to read what BullMQ holds for a run. */
  queue: TrainQueue;
}

export async function startCoordinatorBed(name: string, redisUrl: string): Promise<CoordinatorBed> {
  const bed = openTestBed(name, redisUrl);
  const coordinator = await Coordinator.start({
    store: bed.store,
    redisUrl,
    prefix: bed.box.prefix,
    flushIntervalMs: 50,
    log: () => undefined,
  });
  const queue = new TrainQueue({ redisUrl, prefix: bed.box.prefix });
  return {
    ...bed,
    coordinator,
    queue,
    close: async () => {
      await queue.close();
      await coordinator.close();
      await bed.close();
    },
  };
}

/** Submits a fixture spec (with `extra` YAML appended) through `coordinator`. */
export function submitFixture(
  coordinator: Pick<Coordinator, 'submit'>,
  name: string,
  extra = '',
): ReturnType<Coordinator['submit']> {
  return coordinator.submit(`${fixtureText(name)}${extra}`, 'yaml', { baseDir: FIXTURES });
}

/**
 * Submits a fixture beside a coordinator that runs in its own process, as `isoflop submit` does: through
 * a Coordinator opened for the submission alone (it follows no queue), closed again after.
 */
export async function submitBeside(
  bed: TestBed,
  redisUrl: string,
  name: string,
): ReturnType<Coordinator['submit']> {
  const submitter = Coordinator.open({
    store: bed.store,
    redisUrl,
    prefix: bed.box.prefix,
    log: () => undefined,
  });
  try {
    return await submitFixture(submitter, name);
  } finally {
    await submitter.close();
  }
}

/** A run of a submitted plan, as the coordinator planned it. */
export type PlannedRun = Awaited<ReturnType<Coordinator['submit']>>['plan']['runs'][number];

/**
 * The one-long-run fixture submitted and a worker (with `env` added to processEnv's) training it, once
 * the coordinator has recorded the run's first step. The caller stops the worker.
 */
export async function trainLongRun(
  bed: CoordinatorBed,
  redisUrl: string,
  env: Record<string, string> = {},
): Promise<{ sweepId: string; run: PlannedRun; worker: Spawned }> {
  const { sweepId, plan } = await submitFixture(bed.coordinator, 'one-long-run.yaml');
  const run = plan.runs[0]!;
  const worker = spawnNode(WORKER_MAIN, [], processEnv(bed.box, redisUrl, env));
  try {
    await waitFor('the run to train', () => (lastStep(bed.store, run.id) > 0 ? true : undefined));
  } catch (error) {
    await worker.kill('SIGKILL');
    throw error;
  }
  return { sweepId, run, worker };
}

/**
 * Cancels a trained run's sweep while its worker is stopped (SIGSTOP), after `meanwhile` (what a test
 * does to the stopped worker: outlast its lock, drop its subscriber), then resumes the worker and waits
 * for the run to settle. Returns what the cancel said and what the queue holds for the run.
 */
export async function cancelWithWorkerStopped(
  bed: CoordinatorBed,
  { sweepId, run, worker }: { sweepId: string; run: PlannedRun; worker: Spawned },
  meanwhile: () => Promise<void>,
): Promise<{ cancelled: Awaited<ReturnType<Coordinator['cancel']>>; settled?: JobSnapshot }> {
  process.kill(worker.child.pid!, 'SIGSTOP');
  let cancelled: Awaited<ReturnType<Coordinator['cancel']>>;
  try {
    await meanwhile();
    cancelled = await bed.coordinator.cancel(sweepId);
  } finally {
    process.kill(worker.child.pid!, 'SIGCONT');
  }
  return { cancelled, settled: await settledRun(bed, run.id, worker) };
}

/**
 * What the queue holds for a run once it has left the active and waiting states (finished, failed or
 * gone); on a timeout the error carries the last snapshot and the worker's output.
 */
export async function settledRun(
  bed: CoordinatorBed,
  runId: string,
  worker: Spawned,
): Promise<JobSnapshot | undefined> {
  let last: JobSnapshot | undefined;
  try {
    return await waitFor('the run to leave the queue’s active and waiting states', async () => {
      last = (await bed.queue.snapshot([runId])).get(runId);
      return last?.state === 'active' || last?.state === 'waiting' ? undefined : last;
    });
  } catch (error) {
    throw new Error(
      `${(error as Error).message}\nqueue: ${JSON.stringify(last)}\nworker output:\n${worker.output()}`,
      { cause: error },
    );
  }
}

/**
 * Waits for a cancelled run's mark to leave the queue's hash of cancelled runs (cancelledKey): the worker
 * that failed the run clears it, so the hash does not keep a field per run ever cancelled.
 */
export async function cancelMarkCleared(bed: CoordinatorBed, redisUrl: string, runId: string) {
  const redis = new Redis(redisUrl);
  try {
    await waitFor('the run’s cancel mark to be cleared', async () =>
      (await redis.hexists(cancelledKey(bed.box.prefix, TRAIN_QUEUE), runId)) === 0
        ? true
        : undefined,
    );
  } finally {
    redis.disconnect();
  }
}

/** Events of a sweep from the database (what the SSE feed replays). */
export function sweepEvents(store: Store, sweepId: string): StoredEvent[] {
  return store.sqlite
    .prepare(
      'SELECT id, sweep_id AS sweepId, run_id AS runId, kind, payload, created_at AS createdAt FROM events WHERE sweep_id = ? ORDER BY id',
    )
    .all(sweepId)
    .map((row) => {
      // Checked against the contract: every event the coordinator wrote must be a valid SweepEvent.
      const event = row as Omit<StoredEvent, 'payload'> & { payload: string };
      return sweepEventSchema.parse({ ...event, payload: JSON.parse(event.payload) as unknown });
    });
}

/** How many 'run' events with state done each run got: exactly-once means all ones. */
export function doneEventCounts(store: Store, sweepId: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const event of sweepEvents(store, sweepId)) {
    if (event.kind === 'run' && event.payload.state === 'done')
      counts.set(event.runId ?? '', (counts.get(event.runId ?? '') ?? 0) + 1);
  }
  return counts;
}

export function sweepState(store: Store, sweepId: string): string {
  return (
    store.sqlite.prepare('SELECT state FROM sweeps WHERE id = ?').get(sweepId) as { state: string }
  ).state;
}

/** The last training step the coordinator recorded for a run (0 before its first). */
export function lastStep(store: Store, runId: string): number {
  const row = store.sqlite
    .prepare('SELECT last_step AS step FROM runs WHERE id = ?')
    .get(runId) as {
    step: number | null;
  };
  return row.step ?? 0;
}

/** Waits until the coordinator has recorded some run of the sweep as running. */
export function waitForRunningRun(store: Store, sweepId: string, what: string): Promise<true> {
  return waitFor(what, () =>
    Object.values(runStates(store, sweepId)).includes('running') ? true : undefined,
  );
}

export function runStates(store: Store, sweepId: string): Record<string, string> {
  const rows = store.sqlite
    .prepare('SELECT id, state FROM runs WHERE sweep_id = ?')
    .all(sweepId) as { id: string; state: string }[];
  return Object.fromEntries(rows.map((row) => [row.id, row.state]));
}

/** Removes a test's queue keys. */
export async function obliterate(redisUrl: string, prefix: string): Promise<void> {
  const queue = new TrainQueue({ redisUrl, prefix });
  await queue.obliterate();
  await queue.close();
}

export { Coordinator, openStore };
