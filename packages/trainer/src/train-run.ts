import { performance } from 'node:perf_hooks';
import {
  prepareData,
  sampleBatch,
  validationBatches,
  type DataServer,
  type PreparedData,
} from '@isoflop/data';
import { ADAMW_NAMES } from '@isoflop/graph';
import {
  GRAPH_OUTPUTS,
  type EvalGraph,
  type Feeds,
  type ModelConfig,
  type SerializedPrimeCodec,
  type StepGraph,
} from '@isoflop/models';
import type { Device, ProgressEvent, RunResult, RunSpec } from '@isoflop/planner';
import ort from 'onnxruntime-node';
import {
  checkpointPath,
  NO_EFFORT,
  readCheckpoint,
  writeCheckpoint,
  type CheckpointIdentity,
  type RunEffort,
} from './checkpoint.js';
import { DeviceState, type StateBinding } from './device-state.js';
import { TrainerError } from './errors.js';
import { meanAndStdErr, type MeanWithStdErr } from './eval-stats.js';
import { applyCudaMathMode } from './cuda-math-mode.js';
import { cachedEvalGraph, cachedStepGraph } from './graph-cache.js';
import { learningRate } from './lr-schedule.js';
import { scalarFeed, toOrtFeeds } from './ort-feeds.js';
import { blockEnd, blockGraphOf, resolveStepsPerRun, stackFeeds } from './step-block.js';
import { initialState, stateBindings } from './step-state.js';
import { createSession, resolveSessionSettings, type SessionSettings } from './session-options.js';

export interface TrainRunOptions {
  /** Token shards are prepared and cached here (by content hash). */
  dataCacheDir: string;
  /** Where to download prepared shards from when the corpus is not on this machine. */
  dataServer?: DataServer | undefined;
  /** Checkpoints go to `<checkpointDir>/<run id>/`; a run with a checkpoint there resumes from it. */
  checkpointDir: string;
  /** Execution provider; defaults to the run's own device. */
  device?: Device;
  /** ORT intra-op threads; defaults to `defaultThreads()`. */
  threads?: number;
  /** Let idle ORT threads spin (off by default: it steals shared cores). */
  spinning?: boolean;
  onProgress?: (event: ProgressEvent) => void;
  /** Aborting stops at the next step boundary, after writing a checkpoint, with TrainerError ABORTED. */
  signal?: AbortSignal;
  /** Report a train event every this many steps (default: about 100 events per run). */
  progressEvery?: number;
  /**
   * Optimizer steps per ONNX Runtime `run` (K): above 1, the step graph runs inside an ONNX Loop over
   * blocks of K steps, cut short at evaluations and checkpoints. Default: the run's `stepsPerRun`, else
   * `DEFAULT_STEPS_PER_RUN` of the device.
   */
  stepsPerRun?: number;
}

interface Evaluation {
  bound: MeanWithStdErr;
  objective: MeanWithStdErr | undefined;
}

function modelConfigOf(run: RunSpec): ModelConfig {
  return {
    family: run.family,
    shape: run.shape,
    precision: run.precision,
    ...(run.mdm === undefined ? {} : { mdm: run.mdm }),
    ...(run.prime === undefined ? {} : { prime: run.prime }),
  };
}

function checkRun(run: RunSpec): void {
  const positive: [string, number][] = [
    ['steps', run.steps],
    ['batchSize', run.batchSize],
    ['checkpointEvery', run.checkpointEvery],
    ['eval.every', run.eval.every],
    ['eval.tokens', run.eval.tokens],
  ];
  for (const [field, value] of positive) {
    if (!Number.isInteger(value) || value < 1) {
      throw new TrainerError(
        'INVALID_OPTIONS',
        `run.${field}: expected a positive integer, got ${value}`,
        {
          path: `run.${field}`,
        },
      );
    }
  }
  checkEvalRows(requestedEvalRows(run), run, `rows of ${run.shape.seqLen} tokens`);
  const { lr, minLr, warmupSteps } = run.optimizer;
  if (!(lr > 0) || !(minLr >= 0) || !(warmupSteps >= 0)) {
    throw new TrainerError(
      'INVALID_OPTIONS',
      `run.optimizer: expected lr > 0, minLr >= 0 and warmupSteps >= 0, got ${lr}, ${minLr}, ${warmupSteps}`,
      { path: 'run.optimizer' },
    );
  }
}

/** Validation rows `validationBatches` is asked for: whole batches of whole sequences covering eval.tokens. */
function requestedEvalRows(run: RunSpec): number {
  return Math.ceil(Math.ceil(run.eval.tokens / run.shape.seqLen) / run.batchSize) * run.batchSize;
}

/** The standard error is a spread across rows: one row has none (NaN), which no result may carry. */
function checkEvalRows(rows: number, run: RunSpec, why: string): void {
  if (rows < 2) {
    throw new TrainerError(
      'INVALID_OPTIONS',
      `run.eval.tokens: ${run.eval.tokens} tokens give ${rows} validation row (${why}, batch size ` +
        `${run.batchSize}); the standard error across rows needs at least 2`,
      { path: 'run.eval.tokens' },
    );
  }
}

/**
 * Trains one planned run: prepares its data, builds (or reuses) the step and eval graphs, resumes from the
 * run's checkpoint when there is one, then steps through the schedule, evaluating every `eval.every` steps
 * and at the end, checkpointing every `checkpointEvery` steps and at the end.
 */
export async function trainRun(run: RunSpec, options: TrainRunOptions): Promise<RunResult> {
  const started = performance.now();
  checkRun(run);
  const settings = resolveSessionSettings({
    device: options.device ?? run.device,
    threads: options.threads,
    spinning: options.spinning,
  });
  const stepsPerRun = resolveStepsPerRun(settings.device, options.stepsPerRun, run.stepsPerRun);
  applyCudaMathMode(settings.device, run.precision);
  const config = modelConfigOf(run);
  const data = await prepareData(run.data, {
    cacheDir: options.dataCacheDir,
    server: options.dataServer,
  });
  if (data.vocabSize > run.shape.vocabSize) {
    throw new TrainerError(
      'SHAPE_REJECTED',
      `run.shape.vocabSize: ${run.shape.vocabSize} is smaller than the tokenizer's ${data.vocabSize} tokens`,
      { path: 'run.shape.vocabSize' },
    );
  }
  const optimizer = {
    beta1: run.optimizer.beta1,
    beta2: run.optimizer.beta2,
    eps: run.optimizer.eps,
    weightDecay: run.optimizer.weightDecay,
    gradClip: run.optimizer.gradClip,
  };
  const valBatches = validationBatches(
    data.val,
    run.eval.seed,
    run.eval.tokens,
    run.batchSize,
    run.shape.seqLen,
  );
  checkEvalRows(valBatches.length * run.batchSize, run, 'all the validation split holds');
  // Evaluating on fewer tokens than the spec asked for would widen every error bar without a word.
  if (valBatches.length * run.batchSize < requestedEvalRows(run)) {
    throw new TrainerError(
      'INVALID_OPTIONS',
      `run.eval.tokens: ${run.eval.tokens} tokens need ${requestedEvalRows(run)} validation rows of ` +
        `${run.shape.seqLen + 1} tokens, the validation split holds ${valBatches.length * run.batchSize} ` +
        '(lower eval.tokens or raise data.valFraction)',
      { path: 'run.eval.tokens' },
    );
  }
  const stepGraph = cachedStepGraph(config, run.batchSize, optimizer, settings.device);
  const evalGraph = cachedEvalGraph(config, run.batchSize, settings.device);
  const bindings = stateBindings(stepGraph);
  const trainer = new RunTrainer(
    run,
    options,
    settings,
    data,
    valBatches,
    stepGraph,
    evalGraph,
    bindings,
    stepsPerRun,
  );
  try {
    return await trainer.train(started);
  } finally {
    await trainer.release();
  }
}

class RunTrainer {
  private readonly identity: CheckpointIdentity;
  private readonly file: string;
  private readonly seqLen: number;
  private readonly tokensPerStep: number;
  /** Prime: the index shuffle saved with every checkpoint (serialised once; it never changes). */
  private readonly codec: SerializedPrimeCodec | undefined;
  private session: ort.InferenceSession | undefined;
  private evalSession: ort.InferenceSession | undefined;
  private state: DeviceState | undefined;
  private lastTrainLoss = Number.NaN;
  /** The run's effort so far (its checkpoint's, plus this attempt's up to `now`). */
  private effortAt: (now: number) => RunEffort = () => NO_EFFORT;
  /**
   * Every event the run has reported, over its attempts, by kind and step (a step reported again, as the
   * final evaluation of a run resumed at its last step is, keeps one entry). Each checkpoint carries it.
   */
  private readonly history = new Map<string, ProgressEvent>();

  constructor(
    private readonly run: RunSpec,
    private readonly options: TrainRunOptions,
    private readonly settings: SessionSettings,
    private readonly data: PreparedData,
    private readonly valBatches: readonly Int32Array[],
    private readonly stepGraph: StepGraph,
    private readonly evalGraph: EvalGraph,
    private readonly bindings: StateBinding[],
    /** Optimizer steps per `session.run` (K). */
    private readonly stepsPerRun: number,
  ) {
    this.seqLen = run.shape.seqLen;
    this.tokensPerStep = run.batchSize * run.shape.seqLen;
    this.file = checkpointPath(options.checkpointDir, run.id);
    this.codec = stepGraph.feeds.codec?.serialize();
    this.identity = {
      runId: run.id,
      family: run.family,
      shape: { ...run.shape },
      batchSize: run.batchSize,
      tensors: bindings.map((binding) => ({
        name: binding.input,
        length: binding.dims.reduce((a, b) => a * b, 1),
      })),
    };
  }

  async train(started: number): Promise<RunResult> {
    const { run, options } = this;
    // Read the checkpoint before anything expensive: a bad one must fail fast and stay untouched.
    const checkpoint = await readCheckpoint(this.file, this.identity, this.stepGraph.feeds.codec, {
      // At most one training and one evaluation report per step.
      maxProgressEvents: 2 * run.steps,
    });
    this.session = await createSession(
      this.stepsPerRun > 1 ? blockGraphOf(this.stepGraph, this.bindings) : this.stepGraph.onnx,
      this.settings,
      this.bindings.map((binding) => binding.output),
      'training step graph',
    );
    this.evalSession = await createSession(
      this.evalGraph.onnx,
      this.settings,
      [],
      'evaluation graph',
    );
    const state = new DeviceState(this.session, this.bindings, this.settings);
    this.state = state;
    let step = 0;
    let trainSeconds = 0;
    let trainedSteps = 0;
    // Resumed, the run's figures continue from its checkpoint: one resumed at its last step would
    // otherwise report this attempt's fraction of a second and 0 tokens/s as the whole run's.
    const before = checkpoint?.effort ?? NO_EFFORT;
    this.effortAt = (now) => ({
      wallSeconds: before.wallSeconds + (now - started) / 1000,
      trainSeconds: before.trainSeconds + trainSeconds,
      trainedSteps: before.trainedSteps + trainedSteps,
    });
    if (checkpoint === undefined) {
      state.load(initialState(modelConfigOf(run), this.stepGraph, run.seed));
    } else {
      state.load(checkpoint.tensors);
      step = checkpoint.step;
      this.lastTrainLoss = checkpoint.lastTrainLoss;
      // The attempt that wrote the checkpoint may have died before its reports reached the store, and
      // this one starts after them: report them again, marked, before any new one.
      for (const event of checkpoint.progress ?? []) {
        this.history.set(historyKey(event), event);
        options.onProgress?.({ ...event, replayed: true });
      }
    }
    const valBatches = this.valBatches;
    const progressEvery = options.progressEvery ?? Math.max(1, Math.round(run.steps / 100));

    while (step < run.steps) {
      if (options.signal?.aborted) {
        await this.checkpoint(step);
        throw new TrainerError(
          'ABORTED',
          `run ${run.id} aborted at step ${step}; its checkpoint is saved and training it again resumes there`,
          {
            step,
            cause: options.signal.reason,
          },
        );
      }
      const blockStart = performance.now();
      const first = step;
      const last = blockEnd(step, this.stepsPerRun, run.steps, [
        run.eval.every,
        run.checkpointEvery,
      ]);
      const { losses, gradNorms, rates } = await this.trainBlock(state, first, last);
      trainSeconds += (performance.now() - blockStart) / 1000;
      for (let i = 0; i < last - first; i++) {
        const loss = losses[i] as number;
        const gradNorm = gradNorms[i] as number;
        const lr = rates[i] as number;
        if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
          throw new TrainerError(
            'DIVERGED',
            `run ${run.id} diverged at step ${first + i + 1}: loss ${loss}, gradient norm ${gradNorm} (lr ${lr.toExponential(3)})`,
            { step: first + i + 1 },
          );
        }
        step = first + i + 1;
        trainedSteps += 1;
        this.lastTrainLoss = loss;
        if (step % progressEvery === 0 || step === run.steps) {
          this.report({
            kind: 'train',
            runId: run.id,
            step,
            steps: run.steps,
            tokens: step * this.tokensPerStep,
            loss,
            lr,
            tokensPerSecond: (trainedSteps * this.tokensPerStep) / trainSeconds,
            gradNorm,
          });
        }
      }
      if (step < run.steps && step % run.eval.every === 0) await this.evaluate(step, valBatches);
      if (step < run.steps && step % run.checkpointEvery === 0) await this.checkpoint(step);
    }

    const final = await this.evaluate(step, valBatches);
    await this.checkpoint(step);
    const tokens = run.steps * this.tokensPerStep;
    const effort = this.effortAt(performance.now());
    return {
      runId: run.id,
      family: run.family,
      valLoss: final.bound.mean,
      valLossStdErr: final.bound.stdErr,
      ...(final.objective === undefined
        ? {}
        : { primeObjective: final.objective.mean, primeObjectiveStdErr: final.objective.stdErr }),
      finalTrainLoss: this.lastTrainLoss,
      steps: run.steps,
      tokens,
      wallSeconds: effort.wallSeconds,
      tokensPerSecond:
        effort.trainSeconds > 0
          ? (effort.trainedSteps * this.tokensPerStep) / effort.trainSeconds
          : 0,
    };
  }

  /**
   * Trains steps [first, last) in one `session.run`: the plain step graph for one step per run, else the
   * Loop over the block's stacked batches. Batches, draws and rates are the same pure functions of the
   * step either way. Returns each step's loss, gradient norm and learning rate.
   */
  private async trainBlock(
    state: DeviceState,
    first: number,
    last: number,
  ): Promise<{ losses: Float32Array; gradNorms: Float32Array; rates: number[] }> {
    const { run } = this;
    const rates: number[] = [];
    const perStep: Feeds[] = [];
    for (let step = first; step < last; step++) {
      const batch = sampleBatch(this.data.train, run.seed, step, run.batchSize, this.seqLen);
      perStep.push(this.stepGraph.feeds.train(batch, [run.seed, step]));
      rates.push(learningRate(run.optimizer, step, run.steps));
    }
    const looped = this.stepsPerRun > 1;
    const feeds = toOrtFeeds(looped ? stackFeeds(perStep) : (perStep[0] as Feeds));
    feeds[ADAMW_NAMES.lr] = looped
      ? new ort.Tensor('float32', Float32Array.from(rates), [rates.length])
      : scalarFeed(rates[0] as number);
    feeds[ADAMW_NAMES.step] = scalarFeed(first + 1);
    const outputs = await state.run(feeds, [GRAPH_OUTPUTS.loss, ADAMW_NAMES.gradNorm]);
    return {
      losses: outputs[GRAPH_OUTPUTS.loss] as Float32Array,
      gradNorms: outputs[ADAMW_NAMES.gradNorm] as Float32Array,
      rates,
    };
  }

  async release(): Promise<void> {
    await this.state?.release();
    await this.session?.release();
    await this.evalSession?.release();
  }

  private async checkpoint(step: number): Promise<void> {
    const state = this.state as DeviceState;
    await writeCheckpoint(this.file, {
      identity: this.identity,
      step,
      sampler: { seed: this.run.seed, step },
      lastTrainLoss: this.lastTrainLoss,
      effort: this.effortAt(performance.now()),
      progress: [...this.history.values()],
      tensors: await state.read(),
      ...(this.codec === undefined ? {} : { codec: this.codec }),
    });
  }

  /** Reports an event, and keeps it for the checkpoints to come. */
  private report(event: ProgressEvent): void {
    this.history.set(historyKey(event), event);
    this.options.onProgress?.(event);
  }

  /** Mean and per-row standard error of the bound (and Prime's J) over the fixed validation batches. */
  private async evaluate(step: number, batches: readonly Int32Array[]): Promise<Evaluation> {
    const { run } = this;
    const session = this.evalSession as ort.InferenceSession;
    const state = this.state as DeviceState;
    const paramInputs = this.evalGraph.params.map((param) => ADAMW_NAMES.param(param.name));
    const params = state.tensors(paramInputs);
    const rows = run.batchSize * batches.length;
    const boundRows = new Float64Array(rows);
    const objectiveRows = this.evalGraph.hasObjective ? new Float64Array(rows) : undefined;
    const fetches: string[] = [GRAPH_OUTPUTS.boundRowSums];
    if (objectiveRows !== undefined) fetches.push(GRAPH_OUTPUTS.objectiveRowSums);
    for (const [index, batch] of batches.entries()) {
      // Keyed by the sweep's eval seed and the batch index, never the run: common random numbers.
      const feeds = {
        ...toOrtFeeds(this.evalGraph.feeds.eval(batch, [run.eval.seed, index])),
        ...params,
      };
      const outputs = await session.run(feeds, fetches);
      boundRows.set(
        outputs[GRAPH_OUTPUTS.boundRowSums]?.data as Float32Array,
        index * run.batchSize,
      );
      objectiveRows?.set(
        outputs[GRAPH_OUTPUTS.objectiveRowSums]?.data as Float32Array,
        index * run.batchSize,
      );
    }
    const bound = meanAndStdErr(boundRows, this.evalGraph.tokensPerRow);
    const objective =
      objectiveRows === undefined
        ? undefined
        : meanAndStdErr(objectiveRows, this.evalGraph.tokensPerRow);
    if (!Number.isFinite(bound.mean)) {
      throw new TrainerError(
        'DIVERGED',
        `run ${run.id}: validation loss is ${bound.mean} at step ${step}`,
        {
          step,
        },
      );
    }
    this.report({
      kind: 'eval',
      runId: run.id,
      step,
      tokens: step * this.tokensPerStep,
      valLoss: bound.mean,
      valLossStdErr: bound.stdErr,
      ...(objective === undefined
        ? {}
        : { primeObjective: objective.mean, primeObjectiveStdErr: objective.stdErr }),
    });
    return { bound, objective };
  }
}

function historyKey(event: ProgressEvent): string {
  return `${event.kind}:${event.step}`;
}
