import { GraphBuilder } from '@isoflop/graph';
import ort from 'onnxruntime-node';
import { createSession, type SessionSettings } from './session-options.js';

/** A tensor a copy session moves: its name, element type and shape. */
export interface CopiedTensor {
  name: string;
  dtype: 'float32' | 'float16';
  dims: readonly number[];
}

/**
 * Moves tensors between the host and a WebGPU device through a session on that device whose graph passes
 * each input through (an Identity node per tensor, as the exporter writes an output that is an input):
 * `to-host` leaves its outputs in host memory, `to-device` asks for GPU buffers. onnxruntime-node has no
 * other way down: `Tensor.getData()` on a gpu-buffer calls a native `download` that throws "not
 * implemented" as a C string, which terminates the process.
 */
export class DeviceCopy {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly outputOf: ReadonlyMap<string, string>,
  ) {}

  static async create(
    settings: SessionSettings,
    tensors: readonly CopiedTensor[],
    direction: 'to-host' | 'to-device',
  ): Promise<DeviceCopy> {
    const builder = new GraphBuilder({ dtype: 'float32', name: `copy-${direction}` });
    const outputOf = new Map<string, string>();
    for (const tensor of tensors) {
      const output = `${tensor.name}.copy`;
      builder.output(output, builder.input(tensor.name, tensor.dtype, tensor.dims));
      outputOf.set(tensor.name, output);
    }
    const session = await createSession(
      builder.toOnnxBytes(),
      settings,
      direction === 'to-device' ? [...outputOf.values()] : [],
      `${direction} copy graph`,
    );
    return new DeviceCopy(session, outputOf);
  }

  /** Copies of every tensor the session was made for, by input name. */
  async copy(tensors: ReadonlyMap<string, ort.Tensor>): Promise<Map<string, ort.Tensor>> {
    const outputs = await this.session.run(Object.fromEntries(tensors));
    const copies = new Map<string, ort.Tensor>();
    for (const [input, output] of this.outputOf) copies.set(input, outputs[output] as ort.Tensor);
    return copies;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
