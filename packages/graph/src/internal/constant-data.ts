import type { DType } from '../dtype.js';
import { toFloat16Bits } from './float16.js';
import type { ConstantData } from './ir.js';

/** The dtype a typed array holds when no dtype is given. */
export function dtypeOfArray(data: ConstantData): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  return 'bool';
}

/** A copy of `data` as the element type `dtype` is stored in (float16 as its bits). */
export function convertData(data: ConstantData, dtype: DType): ConstantData {
  switch (dtype) {
    case 'float32':
      return data instanceof Float32Array
        ? data.slice()
        : Float32Array.from(data as ArrayLike<number>, Number);
    case 'float64':
      return data instanceof Float64Array
        ? data.slice()
        : Float64Array.from(data as ArrayLike<number>, Number);
    case 'float16':
      return Uint16Array.from(data as ArrayLike<number>, (v) => toFloat16Bits(Number(v)));
    case 'int32':
      return Int32Array.from(data as ArrayLike<number>, Number);
    case 'int64':
      return data instanceof BigInt64Array
        ? data.slice()
        : BigInt64Array.from(data as ArrayLike<number>, (v) => BigInt(v));
    case 'bool':
      return Uint8Array.from(data as ArrayLike<number>, (v) => (Number(v) !== 0 ? 1 : 0));
  }
}
