import { GraphError } from '../errors.js';
import type { Tensor } from '../tensor.js';

/** A gradient, or none where a value gets no contribution. */
export type MaybeTensor = Tensor | undefined;

/** An op's gradient rule: its inputs' gradients from its outputs', for the inputs that `needs`. */
export type GradFn = (
  grads: readonly MaybeTensor[],
  needs: readonly boolean[],
) => readonly MaybeTensor[];

export interface TapeEntry {
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
  readonly backward: GradFn;
}

/** The gradient rules of the ops emitted so far, in emission order, for reverse-mode autodiff. */
export class Tape {
  private readonly list: TapeEntry[] = [];
  private readonly taped = new Set<number>();
  private recording = true;

  get entries(): readonly TapeEntry[] {
    return this.list;
  }

  /** Records a gradient rule once per node, so a shared node is never differentiated twice. */
  record(inputs: readonly Tensor[], outputs: readonly Tensor[], backward: GradFn): void {
    const first = outputs[0];
    if (!this.recording || first === undefined || this.taped.has(first.id)) return;
    for (const o of outputs) this.taped.add(o.id);
    this.list.push({ inputs, outputs, backward });
  }

  /** Runs `build` without recording: composite ops and gradient rules. */
  untaped<T>(build: () => T): T {
    const was = this.recording;
    this.recording = false;
    try {
      return build();
    } finally {
      this.recording = was;
    }
  }
}

export function need(t: MaybeTensor): Tensor {
  if (t === undefined)
    throw new GraphError('NOT_DIFFERENTIABLE', 'internal: missing gradient for a single-output op');
  return t;
}
