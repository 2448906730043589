import { describe, expect, it } from 'vitest';
import { dModelMultiple, paperParams, shapeForParams, type ShapeRule } from './shape-rule.js';

const RULE: ShapeRule = {
  headDim: 64,
  aspectRatio: 64,
  minLayers: 1,
  maxLayers: 128,
  ffnMultiplier: 4,
};
const paper = (shape: { dModel: number; nLayers: number }) =>
  paperParams(shape.dModel, shape.nLayers);

describe('dModelMultiple', () => {
  it('is the lcm of the head width and the cat-share Prime length', () => {
    expect(dModelMultiple(64)).toBe(64);
    expect(dModelMultiple(64, 16)).toBe(64);
    expect(dModelMultiple(16, 10)).toBe(80);
    expect(dModelMultiple(20, 10)).toBe(20);
  });
});

describe('shapeForParams', () => {
  it('finds a shape within 10% of the target, with whole heads and near the aspect ratio', () => {
    for (const target of [1e7, 1e8, 1e9]) {
      const choice = shapeForParams(target, RULE, 64, paper);
      if (!choice.ok) throw new Error(choice.reason);
      const { shape, params } = choice;
      expect(params).toBe(12 * shape.dModel ** 2 * shape.nLayers);
      expect(Math.abs(Math.log(params / target))).toBeLessThanOrEqual(Math.log(1.1));
      expect(shape.dModel % 64).toBe(0);
      expect(shape.nHeads * 64).toBe(shape.dModel);
      expect(shape.ffnHidden).toBe(4 * shape.dModel);
      // Brute force over every (width, layers) within 10%: none is closer to the aspect ratio.
      let bestAspect = Infinity;
      for (let layers = 1; layers <= 128; layers += 1) {
        for (let units = 1; units <= 200; units += 1) {
          const n = 12 * (64 * units) ** 2 * layers;
          if (Math.abs(Math.log(n / target)) <= Math.log(1.1)) {
            bestAspect = Math.min(bestAspect, Math.abs(Math.log((64 * units) / layers / 64)));
          }
        }
      }
      expect(Math.abs(Math.log(shape.dModel / shape.nLayers / 64))).toBeCloseTo(bestAspect, 12);
    }
  });

  it('is deterministic', () => {
    expect(shapeForParams(3e8, RULE, 64, paper)).toEqual(shapeForParams(3e8, RULE, 64, paper));
  });

  it('falls back to the nearest N when nothing is within 10%, and refuses beyond 1.5x', () => {
    const coarse = { ...RULE, headDim: 20, aspectRatio: 40 };
    // Multiples of 20 at 1 layer give 4800, 19200, ...; 2 layers 9600: 6000 is closest to 4800.
    expect(shapeForParams(6000, coarse, 20, paper)).toMatchObject({ ok: true, params: 4800 });
    const refused = shapeForParams(1000, coarse, 20, paper);
    expect(refused.ok).toBe(false);
  });

  it('respects the layer bounds', () => {
    const choice = shapeForParams(1e8, { ...RULE, minLayers: 30, maxLayers: 30 }, 64, paper);
    expect(choice.ok && choice.shape.nLayers).toBe(30);
  });
});
