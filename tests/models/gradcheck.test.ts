import { describe, expect, it } from 'vitest';
import { gradcheckConfig, gradcheckModel, type OpenGraph } from '@isoflop/models';
import { openSession } from './ort-session.js';

const open: OpenGraph = async (onnx) => {
  const session = await openSession(onnx);
  return (feeds, fetch) => session.run(feeds, fetch);
};

const cases = [
  gradcheckConfig('arm'),
  gradcheckConfig('mdm'),
  gradcheckConfig('mdm-prime-v2', { embedding: 'cat-share', objective: 'published' }),
  gradcheckConfig('mdm-prime-v2', { embedding: 'cat-share', objective: 'nelbo' }),
  gradcheckConfig('mdm-prime-v2', { embedding: 'sum', objective: 'published' }),
  gradcheckConfig('mdm-prime-v2', { embedding: 'sum', objective: 'nelbo' }),
];

describe('whole-model gradient check (float64, ORT, central differences)', () => {
  it.each(
    cases.map(
      (c) =>
        [`${c.family}${c.prime ? ` ${c.prime.embedding}/${c.prime.objective}` : ''}`, c] as const,
    ),
  )('%s: worst relative error < 1e-4 over every parameter tensor', async (_, config) => {
    const report = await gradcheckModel(config, open, { probesPerTensor: 4 });
    // Every tensor of the model is checked: 2 layers × 11 + embedding, final norm, head.
    expect(report.tensors).toHaveLength(25);
    expect(report.worst_relative_error).toBeLessThan(1e-4);
    // The gradients are far from tiny, so the errors are relative, not absolute.
    expect(Math.min(...report.tensors.map((t) => t.analytic_norm))).toBeGreaterThan(1e-4);
  });
});
