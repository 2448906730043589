import { isFloatDType } from './dtype.js';
import { GraphError } from './errors.js';
import type { GraphCore } from './internal/graph-core.js';
import { formatShape, sameShape } from './internal/shape.js';
import type { MaybeTensor } from './internal/tape.js';
import { addTree } from './ops/primitives.js';
import type { Tensor } from './tensor.js';

/**
 * Reverse-mode autodiff over the tape: emits the gradient of scalar `loss` with respect to each of
 * `tensors` (usually params), in order, into the same graph. Each op's rule runs once, last op first,
 * for the inputs on a path to `tensors`; the contributions a value fans out to are summed by one Sum
 * node (a tree of Adds where the lowering has none); an unused tensor gets zeros.
 */
export function backward(c: GraphCore, loss: Tensor, tensors: readonly Tensor[]): Tensor[] {
  c.own(loss, 'backward: loss');
  c.requireFloat(loss, 'backward: loss');
  if (loss.rank !== 0) {
    throw new GraphError(
      'SHAPE_MISMATCH',
      `backward: loss must be a scalar, got ${formatShape(loss.shape)}`,
    );
  }
  tensors.forEach((t, i) => {
    c.own(t, `backward: tensors[${i}]`);
    c.requireFloat(t, `backward: tensors[${i}]`);
  });
  const tape = c.tape.entries;
  const requires = new Set(tensors.map((t) => t.id));
  for (const entry of tape) {
    if (entry.inputs.some((x) => requires.has(x.id))) {
      for (const o of entry.outputs) if (isFloatDType(o.dtype)) requires.add(o.id);
    }
  }
  const contributions = new Map<number, Tensor[]>();
  contributions.set(loss.id, [c.scalar(1, loss.dtype)]);
  const gradOf = (t: Tensor): MaybeTensor => {
    const list = contributions.get(t.id);
    if (list === undefined) return undefined;
    const [one] = list;
    if (list.length === 1) return one;
    const total = c.lowering.sumNode
      ? c.emit1('Sum', list, t)
      : addTree(list, (a, b) => c.emit1('Add', [a, b], t));
    contributions.set(t.id, [total]);
    return total;
  };
  return c.tape.untaped(() => {
    for (let i = tape.length - 1; i >= 0; i--) {
      const entry = tape[i];
      if (entry === undefined || !entry.inputs.some((x) => requires.has(x.id))) continue;
      const gOut = entry.outputs.map(gradOf);
      if (gOut.every((g) => g === undefined)) continue;
      const needs = entry.inputs.map((x) => requires.has(x.id));
      const gIn = entry.backward(gOut, needs);
      entry.inputs.forEach((x, k) => {
        const g = gIn[k];
        if (!needs[k] || g === undefined) return;
        if (g.dtype !== x.dtype || !sameShape(g.shape, x.shape)) {
          throw new GraphError(
            'SHAPE_MISMATCH',
            `backward: gradient ${formatShape(g.shape)} ${g.dtype} does not match tensor ${formatShape(x.shape)} ${x.dtype}`,
          );
        }
        const list = contributions.get(x.id);
        if (list === undefined) contributions.set(x.id, [g]);
        else list.push(g);
      });
    }
    return tensors.map((t) => gradOf(t) ?? c.zeros(t.shape, t.dtype));
  });
}
