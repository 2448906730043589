import ort from 'onnxruntime-node';
import { TrainerError } from './errors.js';
import { DeviceCopy } from './device-copy.js';
import type { SessionSettings } from './session-options.js';

/** One piece of training state: fed to the step graph as `input`, returned updated as `output`. */
export interface StateBinding {
  input: string;
  output: string;
  dims: readonly number[];
}

/**
 * Parameters and optimizer moments, held where the session's device keeps them. Each step feeds them in and
 * takes the updated outputs back without copying through the host (on WebGPU they stay GPU buffers, and the
 * buffers they replace are disposed); only the scalars a caller names are read back. `tensors` hands the
 * state as it lies to another session on the same device (evaluation); `read` copies it to the host
 * explicitly, for checkpoints.
 */
export class DeviceState {
  private readonly current = new Map<string, ort.Tensor>();
  private hostCopy: Promise<DeviceCopy> | undefined;

  constructor(
    private readonly session: ort.InferenceSession,
    readonly bindings: readonly StateBinding[],
    /** The step session's settings: a WebGPU state is copied to the host by a session on that device. */
    private readonly settings: SessionSettings,
  ) {}

  /** Replaces the whole state with host values (initial parameters, or a checkpoint). */
  load(values: ReadonlyMap<string, Float32Array>): void {
    for (const binding of this.bindings) {
      const data = values.get(binding.input);
      const size = binding.dims.reduce((a, b) => a * b, 1);
      if (data === undefined || data.length !== size) {
        throw new TrainerError(
          'BAD_CHECKPOINT',
          `state "${binding.input}" is ${data === undefined ? 'missing' : `of length ${data.length}`}, expected ${size}`,
        );
      }
      this.replace(binding.input, new ort.Tensor('float32', Float32Array.from(data), binding.dims));
    }
  }

  /** Runs one step; returns the named scalar outputs as numbers and keeps the updated state. */
  async step(
    feeds: Record<string, ort.Tensor>,
    scalarOutputs: readonly string[],
  ): Promise<Record<string, number>> {
    const outputs = await this.run(feeds, scalarOutputs);
    const scalars: Record<string, number> = {};
    for (const name of scalarOutputs) scalars[name] = Number((outputs[name] as Float32Array)[0]);
    return scalars;
  }

  /**
   * Runs the session once (one step, or a block of steps); returns the named float outputs copied to the
   * host (a block's per-step losses) and keeps the updated state.
   */
  async run(
    feeds: Record<string, ort.Tensor>,
    hostOutputs: readonly string[],
  ): Promise<Record<string, Float32Array>> {
    const inputs: Record<string, ort.Tensor> = { ...feeds };
    for (const binding of this.bindings) inputs[binding.input] = this.tensor(binding.input);
    const fetches = [...hostOutputs, ...this.bindings.map((binding) => binding.output)];
    const outputs = await this.session.run(inputs, fetches);
    const values: Record<string, Float32Array> = {};
    for (const name of hostOutputs)
      values[name] = (outputs[name] as ort.Tensor).data as Float32Array;
    for (const binding of this.bindings)
      this.replace(binding.input, outputs[binding.output] as ort.Tensor);
    return values;
  }

  /**
   * The named state tensors where they lie, for another session on the same device (evaluation): host
   * tensors on the CPU, GPU buffers on WebGPU (sessions of one process share its WebGPU device). A step
   * never writes into a tensor it was fed, it returns new ones, so sharing them is safe until the next step.
   */
  tensors(inputs: readonly string[]): Record<string, ort.Tensor> {
    const tensors: Record<string, ort.Tensor> = {};
    for (const name of inputs) tensors[name] = this.tensor(name);
    return tensors;
  }

  /** Copies every state tensor to the host, by input name. */
  async read(): Promise<Map<string, Float32Array>> {
    const tensors = new Map(
      this.bindings.map((binding) => [binding.input, this.tensor(binding.input)]),
    );
    if ([...tensors.values()].every((tensor) => tensor.location === 'cpu')) {
      return new Map(
        [...tensors].map(([name, tensor]) => [
          name,
          Float32Array.from(tensor.data as Float32Array),
        ]),
      );
    }
    this.hostCopy ??= DeviceCopy.create(
      this.settings,
      this.bindings.map((binding) => ({
        name: binding.input,
        dtype: 'float32',
        dims: binding.dims,
      })),
      'to-host',
    );
    const copies = await (await this.hostCopy).copy(tensors);
    return new Map([...copies].map(([name, tensor]) => [name, tensor.data as Float32Array]));
  }

  /** Frees the device buffers and the host-copy session. */
  async release(): Promise<void> {
    for (const tensor of this.current.values()) disposeIfOnDevice(tensor);
    this.current.clear();
    const hostCopy = this.hostCopy;
    this.hostCopy = undefined;
    if (hostCopy !== undefined) await (await hostCopy).release();
  }

  private tensor(name: string): ort.Tensor {
    const tensor = this.current.get(name);
    if (tensor === undefined) throw new Error(`state "${name}" was never loaded`);
    return tensor;
  }

  private replace(name: string, next: ort.Tensor): void {
    const previous = this.current.get(name);
    this.current.set(name, next);
    if (previous !== undefined && previous !== next) disposeIfOnDevice(previous);
  }
}

/** Device buffers are freed explicitly; host tensors are left to the garbage collector. */
function disposeIfOnDevice(tensor: ort.Tensor): void {
  if (tensor.location !== 'cpu' && tensor.location !== 'none') tensor.dispose();
}
