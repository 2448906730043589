import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, extname, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import type { FitDocument } from '@isoflop/fit';
import { DEVICES, type Device } from '@isoflop/planner';
import { queueLocationFromEnv, startLocalRedis } from '@isoflop/queue';
import {
  Coordinator,
  describeDecision,
  listDecisions,
  type DecisionPayload,
} from '@isoflop/orchestrator';
import { DEFAULT_PORT } from '@isoflop/server/defaults';
import {
  isStateIn,
  latestFit,
  listSweepRuns,
  openStore,
  sweepRuns,
  RUN_STATES_WITH_RESULT,
  TERMINAL_RUN_STATES,
  type StoredEvent,
  type Store,
  type SweepEventPayload,
} from '@isoflop/store';
import { parseWorkerConfig, startWorker } from '@isoflop/worker';
import { niceness, positiveInt, runAction } from '../cli-action.js';
import { formatCount, formatTable } from '../format.js';
import { loadSweepSpec } from '../load-spec.js';

interface RunOptions {
  db: string;
  workers: number;
  device?: Device;
  threads?: number;
  stepsPerRun?: number;
  nice?: number;
  serve?: boolean;
  port?: number;
}

/** One bar per local worker (the run it trains, step of steps, loss) and one for the sweep's runs. */
class SweepProgress {
  private readonly bars: MultiBar | undefined;
  private readonly total: SingleBar | undefined;
  private readonly workerBars = new Map<string, SingleBar>();
  private readonly workerOfRun = new Map<string, string>();
  private finished: number;
  private runCount: number;

  constructor(
    private readonly sweepId: string,
    workerNames: readonly string[],
    runCount: number,
    finished: number,
  ) {
    this.finished = finished;
    this.runCount = runCount;
    if (!process.stderr.isTTY) return;
    this.bars = new MultiBar(
      {
        format: '{name} |{bar}| {value}/{total} {unit} {detail}',
        hideCursor: true,
        clearOnComplete: false,
      },
      Presets.shades_classic,
    );
    for (const name of workerNames) {
      this.workerBars.set(
        name,
        this.bars.create(1, 0, { name: name.padEnd(8), unit: 'steps', detail: 'idle' }),
      );
    }
    this.total = this.bars.create(runCount, finished, {
      name: 'sweep'.padEnd(8),
      unit: 'runs',
      detail: '',
    });
  }

  handle(events: StoredEvent[]): void {
    for (const event of events) {
      if (event.sweepId !== this.sweepId) continue;
      if (event.kind === 'run') this.onRun(event.payload);
      if (event.kind === 'progress') this.onProgress(event.payload);
      if (event.kind === 'decision') this.onDecision(event.payload as DecisionPayload);
    }
  }

  /** A message printed above the bars (or plainly without a terminal). */
  log(message: string): void {
    if (this.bars) this.bars.log(`${message}\n`);
    else process.stderr.write(`${message}\n`);
  }

  stop(): void {
    this.bars?.stop();
  }

  private onRun(payload: SweepEventPayload<'run'>): void {
    const { runId, state } = payload;
    if (payload.worker !== undefined) this.workerOfRun.set(runId, payload.worker);
    if (!isStateIn(TERMINAL_RUN_STATES, state)) return;
    this.finished += 1;
    this.total?.update(this.finished);
    if (!this.bars) {
      const loss = payload.result?.valLoss;
      process.stderr.write(
        `${runId}: ${state}${loss === undefined ? '' : ` (val loss ${loss.toFixed(4)})`}\n`,
      );
    }
  }

  /** One line per decision of the adaptive step; an added run also grows the sweep's bar. */
  private onDecision(decision: DecisionPayload): void {
    if (decision.type === 'add') {
      this.runCount += 1;
      this.total?.setTotal(this.runCount);
    }
    this.log(describeDecision(decision));
  }

  private onProgress(payload: SweepEventPayload<'progress'>): void {
    const { runId } = payload;
    if (payload.kind === 'start') {
      this.workerOfRun.set(runId, payload.worker);
      this.workerBars.get(payload.worker)?.update(0, { detail: runId });
      return;
    }
    const bar = this.workerBars.get(this.workerOfRun.get(runId) ?? '');
    // A resumed run first replays its checkpoint's reports: the bar stays where the run is.
    if (!bar || payload.kind !== 'train' || payload.replayed === true) return;
    const loss = payload.loss === null ? 'nan' : payload.loss.toFixed(3);
    bar.setTotal(payload.steps);
    bar.update(payload.step, { detail: `${runId} loss ${loss}` });
  }
}

/**
 * The compute ratios in words, one sentence per variant against the baseline: C_family / C_baseline at
 * the middle of the shared losses, with the 95% bootstrap interval, from Approach 2 where it has them.
 */
function comparisonInWords(document: FitDocument): string[] {
  const byPair = new Map<string, FitDocument['efficiency']>();
  for (const entry of document.efficiency) {
    const key = `${entry.family}|${entry.baseline}`;
    byPair.set(key, [...(byPair.get(key) ?? []), entry]);
  }
  const sentences: string[] = [];
  for (const entries of byPair.values()) {
    const preferred = entries.filter((entry) => entry.method === 'approach2');
    const pick = preferred.length > 0 ? preferred : entries;
    const entry = pick[Math.floor((pick.length - 1) / 2)];
    if (!entry) continue;
    const times = 1 / entry.compute_ratio;
    const ci = entry.compute_ratio_ci;
    const interval =
      ci === undefined
        ? ''
        : ` (95% interval ${(1 / ci[1]).toPrecision(3)}–${(1 / ci[0]).toPrecision(3)})`;
    const method = entry.method === 'approach2' ? 'Approach 2' : 'Approach 3';
    sentences.push(
      `at loss ${entry.at_loss.toFixed(2)}, ${entry.family} needs ${times.toPrecision(3)}× the compute of ${entry.baseline}${interval} [${method}]`,
    );
  }
  return sentences;
}

/**
 * Per variant: each run's size, tokens and final bound (and, for runs the adaptive step added, its
 * rule); the limits it reached; then the fitted exponents, and the comparison against the baseline in words.
 */
function printSummary(store: Store, sweepId: string): void {
  const runs = sweepRuns(store, sweepId).sort(
    (a, b) =>
      a.variant.localeCompare(b.variant) || a.budgetFlops - b.budgetFlops || a.params - b.params,
  );
  const decisions = listDecisions(store, sweepId);
  const added = new Map(
    decisions.flatMap((decision) =>
      decision.type === 'add'
        ? [[decision.runId, `${decision.rule}/${decision.code}`] as const]
        : [],
    ),
  );
  const rows = runs.map((run) => [
    run.variant,
    formatCount(run.budgetFlops),
    formatCount(run.params),
    formatCount(run.tokens),
    run.state,
    run.valLoss === null
      ? '-'
      : `${run.valLoss.toFixed(4)} ± ${(run.valLossStdErr ?? 0).toFixed(4)}`,
    run.primeObjective === null ? '' : run.primeObjective.toFixed(4),
    added.get(run.id) ?? '',
  ]);
  const lines = [
    formatTable(
      ['variant', 'C', 'N', 'D', 'state', 'val loss (nats/token)', 'Prime J', 'added by'],
      rows,
    ),
  ];
  if (added.size > 0) lines.push(`${added.size} run(s) added by the adaptive step`);
  for (const decision of decisions)
    if (decision.type === 'limit') lines.push(describeDecision(decision));
  const fit = latestFit(store, sweepId);
  if (fit) {
    const document = fit.document as FitDocument;
    for (const [family, doc] of Object.entries(document.families)) {
      const parts: string[] = [];
      if (doc.approach2) {
        const { a, a_ci: aCi, b, budgets } = doc.approach2;
        const interval =
          aCi === undefined ? '' : ` (95% ${aCi[0].toFixed(3)}–${aCi[1].toFixed(3)})`;
        parts.push(
          `approach 2 (${doc.approach2.estimator ?? 'parabola'}) over ${budgets.length} bracketed budget(s): N_opt ∝ C^${a.toFixed(3)}${interval}, D_opt ∝ C^${b.toFixed(3)}`,
        );
      }
      if (doc.approach3) {
        const { E, alpha, beta } = doc.approach3;
        parts.push(
          `approach 3: E=${E.toFixed(3)} alpha=${alpha.toFixed(3)} beta=${beta.toFixed(3)}`,
        );
      }
      lines.push(
        `fit ${family}: ${parts.length > 0 ? parts.join('; ') : 'not enough runs to fit'}`,
      );
    }
    for (const warning of document.warnings) lines.push(`fit warning: ${warning}`);
    lines.push(...comparisonInWords(document));
  } else {
    lines.push(
      'fit: none yet (a family needs several finished sizes per budget, or 6 runs, to be fitted)',
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function runSweep(specPath: string, options: RunOptions): Promise<void> {
  // Validation comes first: a bad spec exits 2 before Redis, the database or any worker is touched.
  loadSweepSpec(specPath);
  const absolute = resolve(specPath);
  const text = readFileSync(absolute, 'utf8');
  const format = extname(absolute).toLowerCase() === '.json' ? 'json' : 'yaml';
  const dbFile = resolve(options.db);

  const teardown: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    while (teardown.length > 0) await teardown.pop()?.();
  };
  let interrupted: (() => void) | undefined;
  const stopped = new Promise<void>((resolveStop) => {
    interrupted = resolveStop;
  });
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) process.exit(130);
    signalled = true;
    process.stderr.write(`\n${signal}: checkpointing running runs and stopping (again to force)\n`);
    interrupted?.();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const location = queueLocationFromEnv();
    let redisUrl = location.redisUrl;
    if (redisUrl === undefined) {
      const redis = await startLocalRedis('.isoflop/redis');
      teardown.push(() => redis.stop());
      redisUrl = redis.url;
    }
    const store = openStore(dbFile);
    teardown.push(async () => store.close());
    const queue = { redisUrl, prefix: location.prefix, queueName: location.queueName };
    let log = (message: string): void => void process.stderr.write(`${message}\n`);
    const coordinator = await Coordinator.start({
      store,
      ...queue,
      log: (message) => log(message),
    });
    teardown.push(() => coordinator.close());

    const threads =
      options.threads ?? Math.max(1, Math.floor(availableParallelism() / options.workers));
    const names: string[] = [];
    for (let i = 1; i <= options.workers; i++) {
      const name = `worker-${i}`;
      const config = parseWorkerConfig({
        ...process.env,
        REDIS_URL: redisUrl,
        ISOFLOP_WORKER_NAME: name,
        ISOFLOP_THREADS: String(threads),
        ...(options.device === undefined ? {} : { ISOFLOP_DEVICE: options.device }),
        ...(options.stepsPerRun === undefined
          ? {}
          : { ISOFLOP_STEPS_PER_RUN: String(options.stepsPerRun) }),
        ...(options.nice === undefined ? {} : { ISOFLOP_NICE: String(options.nice) }),
      });
      const worker = await startWorker(config);
      teardown.push(() => worker.close(config.shutdownTimeoutMs));
      names.push(name);
    }

    // With --serve the dashboard is up from the start, so the sweep can be watched while it trains.
    let dashboardUrl: string | undefined;
    if (options.serve) {
      // Loaded only here: a sweep without --serve never loads Fastify, swagger or vega.
      const { buildServer } = await import('@isoflop/server');
      const server = await buildServer({ store, coordinator, port: options.port ?? DEFAULT_PORT });
      dashboardUrl = await server.listen();
      teardown.push(() => server.close());
      process.stdout.write(`dashboard: ${dashboardUrl}  (live while the sweep trains)\n`);
    }

    const { sweepId, plan, created } = await coordinator.submit(text, format, {
      baseDir: dirname(absolute),
    });
    // The stored runs: the plan's, plus any an adaptive step added before a resume.
    const stored = listSweepRuns(store, sweepId);
    const already = stored.filter((run) => isStateIn(RUN_STATES_WITH_RESULT, run.state));
    process.stderr.write(
      `sweep ${plan.sweepName} (${sweepId}): ${stored.length} runs` +
        (created ? '' : `, resuming (${already.length} already finished)`) +
        `, ${options.workers} worker(s), database ${dbFile}\n`,
    );
    const progress = new SweepProgress(sweepId, names, stored.length, already.length);
    log = (message) => progress.log(message);
    const stopProgress = coordinator.onEvents((events) => progress.handle(events));
    const outcome = await Promise.race([
      coordinator.whenSweepFinished(sweepId),
      stopped.then(() => 'interrupted' as const),
    ]);
    stopProgress();
    progress.stop();
    if (outcome === 'interrupted') {
      process.exitCode = 130;
      process.stderr.write(`stopped; run the same command again to resume sweep ${sweepId}\n`);
      return;
    }
    // The last result's fit is computed after the sweep is recorded as done.
    await coordinator.fitsSettled();
    printSummary(store, sweepId);
    if (dashboardUrl !== undefined) {
      process.stdout.write(`dashboard: ${dashboardUrl}  (Ctrl-C to stop)\n`);
      await stopped;
    } else {
      process.stdout.write(
        `dashboard: isoflop serve --db ${dbFile}  then open http://127.0.0.1:${options.port ?? DEFAULT_PORT}/\n`,
      );
    }
  } finally {
    await stopAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export function register(program: Command): void {
  program
    .command('run')
    .description(
      'run a whole sweep on this machine: a private redis-server (unless REDIS_URL is set), the coordinator and N local workers; ends with the fitted summary',
    )
    .argument(
      '<spec>',
      'sweep spec file (YAML, or JSON by .json extension); corpus paths are relative to it',
    )
    .option('--db <file>', 'SQLite database', 'isoflop.db')
    .option('--workers <n>', 'local workers, one run each at a time', positiveInt('--workers'), 1)
    .addOption(
      new Option('--device <device>', 'train on this device instead of the spec’s').choices(
        DEVICES,
      ),
    )
    .option(
      '--threads <n>',
      'ONNX Runtime threads per worker (default: cores / workers)',
      positiveInt('--threads'),
    )
    .option(
      '--steps-per-run <k>',
      "optimizer steps per ONNX Runtime run (default: the spec's, else cpu 1, webgpu 1, cuda 32)",
      positiveInt('--steps-per-run'),
    )
    .option(
      '--nice <n>',
      'CPU niceness of the training processes, 0 to 19 (default 10: the dashboard stays quick)',
      niceness('--nice'),
    )
    .option(
      '--serve',
      'serve the dashboard while the sweep trains and keep serving it after it finishes',
    )
    .option('--port <n>', `dashboard port (default ${DEFAULT_PORT})`, positiveInt('--port'))
    .addHelpText(
      'after',
      `
Ctrl-C checkpoints the running runs and stops everything this command started; the same command again
resumes the sweep (the sweep id is a hash of the spec). Private Redis data lives in .isoflop/redis/.
Exit codes: 0 finished, 2 invalid spec (each problem as <field.path>: <what was expected>), 1 failure, 130 interrupted.`,
    )
    .action(runAction((specPath: string, options: RunOptions) => runSweep(specPath, options)));
}
