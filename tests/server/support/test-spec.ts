/**
 * A small three-family sweep spec: 3 budgets x 5 sizes per family, shapes small enough to be real
 * RunSpecs of a CPU sweep. Tests plan it with the real planner and seed results through the store.
 */
export const TEST_SWEEP_YAML = `
name: dashboard-test
families:
  arm: {}
  mdm: {}
  mdm-prime-v2: {}
budgets: [2.0e+13, 6.0e+13, 2.0e+14]
sizes:
  count: 5
  tokensPerParam: { min: 4, max: 400 }
shapeRule: { headDim: 16, aspectRatio: 16, minLayers: 1, maxLayers: 8 }
seqLen: 64
batchSize: 8
data:
  corpus: { kind: sotu }
  tokenizer: { kind: bpe, vocabSize: 512 }
  valFraction: 0.1
eval: { tokens: 2048, every: 50, seed: 0 }
device: cpu
`;
