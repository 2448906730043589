import { GraphBuilder } from '@isoflop/graph';
import type { Device } from '@isoflop/planner';
import ort from 'onnxruntime-node';
import { createSession, resolveSessionSettings } from './session-options.js';

/**
 * Runs a one-node graph (y = x + x) on `device` alone (no CPU fallback) and checks its result: the
 * smallest proof that the provider loads, finds its device and computes. Throws TrainerError
 * DEVICE_UNAVAILABLE (from `createSession`) or an Error saying what came back.
 */
export async function probeDevice(device: Device): Promise<void> {
  const b = new GraphBuilder();
  const x = b.input('x', 'float', [4]);
  b.output('y', b.add(x, x));
  const session = await createSession(
    b.toOnnxBytes(),
    resolveSessionSettings({ device, threads: 1 }),
    [],
    'one-node probe graph',
  );
  try {
    const input = Float32Array.of(1, 2, 3, 4);
    const { y } = await session.run({ x: new ort.Tensor('float32', input, [4]) });
    const values = Array.from((y as ort.Tensor).data as Float32Array);
    if (values.join(',') !== '2,4,6,8') {
      throw new Error(`device ${device}: x + x of [1, 2, 3, 4] gave [${values.join(', ')}]`);
    }
  } finally {
    await session.release();
  }
}
