import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { OpTarget } from '@isoflop/graph';
import {
  buildEvalGraph,
  buildGradientGraph,
  buildTrainStepGraph,
  type ModelConfig,
  type Precision,
} from '@isoflop/models';
import { blockGraphOf, stateBindings } from '@isoflop/trainer';

// The ONNX bytes every family's graphs are emitted as, pinned by their SHA-256: a refactor of the graph
// builder (its split into core, op groups and autodiff) must leave every byte of them as it was. A change
// that means to alter a graph updates the snapshot (`npx vitest run -u tests/graph/emitted-graphs.test.ts`)
// and says why in its commit.
const shape = { dModel: 40, nLayers: 2, nHeads: 2, ffnHidden: 64, vocabSize: 32, seqLen: 16 };
const families = (precision: Precision): [string, ModelConfig][] => [
  ['arm', { family: 'arm', shape, precision }],
  ['mdm', { family: 'mdm', shape, precision, mdm: { eps: 1e-3 } }],
  [
    'mdm-prime-v2',
    {
      family: 'mdm-prime-v2',
      shape,
      precision,
      prime: {
        base: 2,
        length: 5,
        shuffle: true,
        shuffleSeed: 1,
        embedding: 'cat-share',
        objective: 'published',
      },
    },
  ],
];
const optimizer = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 };
const B = 4;
const TARGETS: readonly OpTarget[] = ['cpu', 'webgpu', 'cuda'];

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Every graph a run builds, by name: the step, its K-steps Loop, evaluation, and the float64 gradient. */
function emittedGraphs(): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const precision of ['fp32', 'mixed'] as const) {
    for (const [family, config] of families(precision)) {
      for (const target of TARGETS) {
        const name = `${family} ${precision} ${target}`;
        const step = buildTrainStepGraph(config, B, optimizer, { target });
        hashes[`${name} step`] = sha256(step.onnx);
        hashes[`${name} loop`] = sha256(blockGraphOf(step, stateBindings(step)));
        hashes[`${name} eval`] = sha256(buildEvalGraph(config, B, { target }).onnx);
      }
      if (precision === 'fp32') {
        hashes[`${family} float64 gradient`] = sha256(buildGradientGraph(config, B).onnx);
      }
    }
  }
  return hashes;
}

describe('emitted training graphs', () => {
  it('are built the same way twice (emission is deterministic)', () => {
    expect(emittedGraphs()).toEqual(emittedGraphs());
  });

  it('match the pinned bytes of every family, precision and target', () => {
    expect(emittedGraphs()).toMatchSnapshot();
  });
});
