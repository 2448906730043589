import { performance } from 'node:perf_hooks';
import ort from 'onnxruntime-node';
import { ADAMW_NAMES } from '@isoflop/graph';
import {
  GRAPH_OUTPUTS,
  buildTrainStepGraph,
  type Family,
  type Feeds,
  type ModelConfig,
  type ModelShape,
  type Precision,
} from '@isoflop/models';
import {
  blockGraphOf,
  createSession,
  DeviceState,
  initialState,
  scalarFeed,
  stackFeeds,
  stateBindings,
  toOrtFeeds,
  type SessionSettings,
} from '@isoflop/trainer';
import type { BenchShape } from './shape-spec.js';
import { syntheticBatch } from './synthetic-batch.js';

/** AdamW and clipping constants of every check (the planner's defaults). */
const OPTIMIZER = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 };
const LEARNING_RATE = 1e-3;

/** What the throughput and profile phases run: one shape's steps on one device. */
export interface StepBenchOptions {
  bench: BenchShape;
  settings: SessionSettings;
  warmupSteps: number;
  timedSteps: number;
  seed: number;
  /** Extra ORT options of the step session (an A/B of provider settings). */
  stepOptions?: ort.InferenceSession.SessionOptions;
  /** Optimizer steps per ONNX Runtime run (the trainer's K; above 1, the step graph inside a Loop). */
  stepsPerRun?: number;
}

export interface StepScalars {
  loss: number;
  gradNorm: number;
}

/** The family options the planner would give by default (Prime: binary sub-tokens, shuffled codes). */
export function benchConfig(family: Family, shape: ModelShape, precision: Precision): ModelConfig {
  switch (family) {
    case 'arm':
      return { family, shape, precision };
    case 'mdm':
      return { family, shape, precision, mdm: { eps: 1e-3 } };
    case 'mdm-prime-v2': {
      const length = Math.ceil(Math.log2(shape.vocabSize));
      return {
        family,
        shape,
        precision,
        prime: {
          base: 2,
          length,
          shuffle: true,
          shuffleSeed: 0,
          // cat-share splits d_model into l pieces; shapes it does not divide use summed tables.
          embedding: shape.dModel % length === 0 ? 'cat-share' : 'sum',
          objective: 'published',
        },
      };
    }
  }
}

/**
 * The trainer's step path without its data and checkpoint plumbing: one compiled step graph in a session
 * on the chosen device, state kept there by DeviceState, only loss and gradient norm read back per step.
 * Batches and draws are pure functions of (seed, step), so two runners on two devices see the same inputs.
 * Opened with K steps per run, it runs the trainer's Loop graph, one `run` per block.
 */
export class StepRunner {
  private constructor(
    private readonly config: ModelConfig,
    private readonly batchSize: number,
    private readonly seed: number,
    private readonly session: Awaited<ReturnType<typeof createSession>>,
    private readonly state: DeviceState,
    private readonly feeds: ReturnType<typeof buildTrainStepGraph>['feeds'],
    private readonly looped: boolean,
    /** Seconds spent building the ONNX graph and creating the session. */
    readonly setupSeconds: { graph: number; session: number },
  ) {}

  static async open(
    config: ModelConfig,
    batchSize: number,
    settings: SessionSettings,
    seed: number,
    extraOptions: ort.InferenceSession.SessionOptions = {},
    stepsPerRun = 1,
  ): Promise<StepRunner> {
    const graphStart = performance.now();
    const graph = buildTrainStepGraph(config, batchSize, OPTIMIZER, { target: settings.device });
    const sessionStart = performance.now();
    const bindings = stateBindings(graph);
    const looped = stepsPerRun > 1;
    const session = await createSession(
      looped ? blockGraphOf(graph, bindings) : graph.onnx,
      settings,
      bindings.map((binding) => binding.output),
      'training step graph',
      extraOptions,
    );
    const setupSeconds = {
      graph: (sessionStart - graphStart) / 1000,
      session: (performance.now() - sessionStart) / 1000,
    };
    const state = new DeviceState(session, bindings, settings);
    state.load(initialState(config, graph, seed));
    return new StepRunner(
      config,
      batchSize,
      seed,
      session,
      state,
      graph.feeds,
      looped,
      setupSeconds,
    );
  }

  /** Step `index` (0-based) on batch (seed, index), at a constant learning rate. */
  async step(index: number): Promise<StepScalars> {
    return (await this.steps(index, 1))[0] as StepScalars;
  }

  /** Steps first..first+count-1 in one `run` (count 1 unless opened with K steps per run). */
  async steps(first: number, count: number): Promise<StepScalars[]> {
    const { shape } = this.config;
    const perStep = Array.from({ length: count }, (_, i) => {
      const index = first + i;
      const batch = syntheticBatch(this.seed, index, this.batchSize, shape.seqLen, shape.vocabSize);
      return this.feeds.train(batch, [this.seed, index]);
    });
    if (!this.looped && count !== 1) throw new Error('StepRunner: one step per run');
    const feeds = toOrtFeeds(this.looped ? stackFeeds(perStep) : (perStep[0] as Feeds));
    feeds[ADAMW_NAMES.lr] = this.looped
      ? new ort.Tensor('float32', new Float32Array(count).fill(LEARNING_RATE), [count])
      : scalarFeed(LEARNING_RATE);
    feeds[ADAMW_NAMES.step] = scalarFeed(first + 1);
    const outputs = await this.state.run(feeds, [GRAPH_OUTPUTS.loss, ADAMW_NAMES.gradNorm]);
    const losses = outputs[GRAPH_OUTPUTS.loss] as Float32Array;
    const norms = outputs[ADAMW_NAMES.gradNorm] as Float32Array;
    return Array.from(losses, (loss, i) => ({ loss, gradNorm: norms[i] as number }));
  }

  /** Parameters and moments copied back to the host (the explicit read evaluation and checkpoints use). */
  async read(): Promise<Map<string, Float32Array>> {
    return this.state.read();
  }

  /** Writes ORT's profile, when the session was opened with one (see ORT's enableProfiling). */
  endProfiling(): void {
    this.session.endProfiling();
  }

  async release(): Promise<void> {
    await this.state.release();
    await this.session.release();
  }
}
