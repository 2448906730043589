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
  /** Every budget some variant plans, ascending. */
  budgets: number[];
  /** dModel is a multiple of this: headDim and every cat-share Prime length l, so all variants share shapes. */
  multiple: number;
  paramsOf: ParamCounter;
  exactParamsOf: ParamCounter;
}

function expandBudgets(budgets: SweepSpec['budgets']): number[] {
  return Array.isArray(budgets) ? budgets : logSpaced(budgets.min, budgets.max, budgets.count);
}

/** The budgets a variant plans: its own when it names them, else the sweep's. */
export function variantBudgets(spec: SweepSpec, variant: Variant): number[] {
  return expandBudgets(variant.options.budgets ?? spec.budgets);
}

/** The sizes a variant plans: its own when it names them, else the sweep's. */
export function variantSizes(spec: SweepSpec, variant: Variant): SweepSpec['sizes'] {
  return variant.options.sizes ?? spec.sizes;
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

/** What dModel must be a multiple of to suit `width` and, for a cat-share Prime variant, its length l. */
export function widthMultiple(width: number, options: VariantOptions, vocabSize: number): number {
  return options.family === 'mdm-prime-v2' && options.embedding === 'cat-share'
    ? dModelMultiple(width, primeLength(options.base, vocabSize))
    : width;
}

export function contextOf(spec: SweepSpec): SweepContext {
  const vocabSize = vocabSizeOf(spec.data);
  const variants = variantsOf(spec);
  const multiple = variants.reduce(
    (width, { options }) => widthMultiple(width, options, vocabSize),
    spec.shapeRule.headDim,
  );
  const exactParamsOf: ParamCounter = (shape) =>
    countParams({ ...shape, vocabSize, seqLen: spec.seqLen }).exactNonEmbedding;
  return {
    spec,
    vocabSize,
    variants,
    budgets: [...new Set(variants.flatMap((v) => variantBudgets(spec, v)))].sort((p, q) => p - q),
    multiple,
    paramsOf:
      spec.paramConvention === 'paper'
        ? (shape) => paperParams(shape.dModel, shape.nLayers)
        : exactParamsOf,
    exactParamsOf,
  };
}
