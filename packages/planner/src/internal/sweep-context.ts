import { countParams } from '@isoflop/models';
import { FAMILIES, type Family } from '../run-spec.js';
import { dModelMultiple, paperParams, type ParamCounter } from '../shape-rule.js';
import type { SweepSpec, VariantOptions } from '../sweep-spec.js';
import { primeLength, vocabSizeOf } from '../vocab.js';
import { logSpaced } from './log-spaced.js';

/** One entry of the spec's `families`: its name (the key) and its options, family resolved. */
export interface Variant {
  name: string;
  family: Family;
  options: VariantOptions;
}

/** What every run of a sweep shares, derived once from the spec. */
export interface SweepContext {
  spec: SweepSpec;
  vocabSize: number;
  /** The variants in plan order: by family (arm, mdm, mdm-prime-v2), then as the spec lists them. */
  variants: Variant[];
  /** The spec's budgets. */
  budgets: number[];
  /** dModel is a multiple of this: headDim and every cat-share Prime length l, so all variants share shapes. */
  multiple: number;
  paramsOf: ParamCounter;
  exactParamsOf: ParamCounter;
}

export function budgetsOf(spec: SweepSpec): number[] {
  return Array.isArray(spec.budgets)
    ? spec.budgets
    : logSpaced(spec.budgets.min, spec.budgets.max, spec.budgets.count);
}

export function variantsOf(spec: SweepSpec): Variant[] {
  const entries = Object.entries(spec.families).map(([name, options]) => ({
    name,
    family: options.family,
    options,
  }));
  // Array.prototype.sort is stable: variants of one family keep the spec's order.
  return entries.sort((a, b) => FAMILIES.indexOf(a.family) - FAMILIES.indexOf(b.family));
}

export function contextOf(spec: SweepSpec): SweepContext {
  const vocabSize = vocabSizeOf(spec.data);
  const variants = variantsOf(spec);
  let multiple = spec.shapeRule.headDim;
  for (const { options } of variants) {
    if (options.family === 'mdm-prime-v2' && options.embedding === 'cat-share') {
      multiple = dModelMultiple(multiple, primeLength(options.base, vocabSize));
    }
  }
  const exactParamsOf: ParamCounter = (shape) =>
    countParams({ ...shape, vocabSize, seqLen: spec.seqLen }).exactNonEmbedding;
  return {
    spec,
    vocabSize,
    variants,
    budgets: budgetsOf(spec),
    multiple,
    paramsOf:
      spec.paramConvention === 'paper'
        ? (shape) => paperParams(shape.dModel, shape.nLayers)
        : exactParamsOf,
    exactParamsOf,
  };
}
