import { ADAMW_NAMES, loopStepGraph } from '@isoflop/graph';
import { GRAPH_OUTPUTS, type FeedTensor, type Feeds, type StepGraph } from '@isoflop/models';
import type { Device } from '@isoflop/planner';
import { TrainerError } from './errors.js';
import type { StateBinding } from './device-state.js';

/**
 * Optimizer steps per `session.run` when neither the spec nor the caller says. CUDA: the Node binding
 * copies every input and output across PCIe on each run, so the state must stay inside a Loop for many
 * steps. CPU: one step per run measured as fast as a block (see the trainer README), and keeps the
 * plain step graph. WebGPU: the state already stays on the GPU between runs.
 */
export const DEFAULT_STEPS_PER_RUN: Readonly<Record<Device, number>> = {
  cpu: 1,
  webgpu: 1,
  cuda: 32,
};

/** The K a run trains with: the caller's, else the spec's, else the device's default; checked. */
export function resolveStepsPerRun(
  device: Device,
  fromOptions: number | undefined,
  fromRun: number | undefined,
): number {
  const [value, path] =
    fromOptions !== undefined
      ? [fromOptions, 'stepsPerRun']
      : fromRun !== undefined
        ? [fromRun, 'run.stepsPerRun']
        : [DEFAULT_STEPS_PER_RUN[device], 'stepsPerRun'];
  if (!Number.isInteger(value) || value < 1) {
    throw new TrainerError(
      'INVALID_OPTIONS',
      `${path}: expected a positive integer, got ${value}`,
      {
        path,
      },
    );
  }
  return value;
}

const blockGraphs = new WeakMap<StepGraph, Uint8Array>();

/**
 * The step graph nested in an ONNX Loop (`loopStepGraph`): parameters, moments and the step count carried;
 * the batch inputs and `lr` fed as `[steps, ...]`; `loss` and `gradNorm` returned per step. Built once per
 * step graph.
 */
export function blockGraphOf(stepGraph: StepGraph, bindings: readonly StateBinding[]): Uint8Array {
  let onnx = blockGraphs.get(stepGraph);
  if (onnx === undefined) {
    onnx = loopStepGraph(stepGraph.onnx, {
      carried: bindings.map(({ input, output }) => ({ input, output })),
      counter: ADAMW_NAMES.step,
      perStep: [...stepGraph.batchInputs, ADAMW_NAMES.lr],
      scanOutputs: [GRAPH_OUTPUTS.loss, ADAMW_NAMES.gradNorm],
    });
    blockGraphs.set(stepGraph, onnx);
  }
  return onnx;
}

/** Stacks the feeds of consecutive steps into one `[steps, ...]` feed per input, in step order. */
export function stackFeeds(steps: readonly Feeds[]): Feeds {
  const first = steps[0];
  if (first === undefined) throw new Error('stackFeeds: a block has at least one step');
  const stacked: Feeds = {};
  for (const [name, feed] of Object.entries(first)) {
    const parts = steps.map((feeds) => feeds[name] as FeedTensor);
    stacked[name] = stack(feed, parts);
  }
  return stacked;
}

function stack(first: FeedTensor, parts: readonly FeedTensor[]): FeedTensor {
  const size = first.data.length;
  const dims = [parts.length, ...first.dims];
  switch (first.type) {
    case 'int32': {
      const data = new Int32Array(size * parts.length);
      parts.forEach((part, i) => data.set(part.data as Int32Array, i * size));
      return { type: first.type, data, dims };
    }
    case 'float32': {
      const data = new Float32Array(size * parts.length);
      parts.forEach((part, i) => data.set(part.data as Float32Array, i * size));
      return { type: first.type, data, dims };
    }
    case 'float64': {
      const data = new Float64Array(size * parts.length);
      parts.forEach((part, i) => data.set(part.data as Float64Array, i * size));
      return { type: first.type, data, dims };
    }
  }
}

/**
 * Where the block starting at `step` must end: after at most `stepsPerRun` steps, and at the next
 * evaluation, checkpoint and the run's end, so those happen at exactly the steps they would with one
 * step per run.
 */
export function blockEnd(
  step: number,
  stepsPerRun: number,
  steps: number,
  boundaries: readonly number[],
): number {
  let end = Math.min(step + stepsPerRun, steps);
  for (const every of boundaries) end = Math.min(end, (Math.floor(step / every) + 1) * every);
  return end;
}
