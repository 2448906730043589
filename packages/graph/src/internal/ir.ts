import type { DType } from '../dtype.js';

export type AttrValue =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string };

/** One ONNX node; inputs and outputs are tensor ids (-1: an omitted optional input). */
export interface IrNode {
  readonly opType: string;
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly attrs: Readonly<Record<string, AttrValue>>;
}

export type ConstantData =
  Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Uint16Array;

export interface IrConstant {
  readonly id: number;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Raw little-endian element data; float16 as Uint16Array bits. */
  readonly data: ConstantData;
}

export interface IrValue {
  readonly name: string;
  readonly id: number;
  readonly dtype: DType;
  readonly shape: readonly number[];
}

export interface IrValueType {
  readonly dtype: DType;
  readonly shape: readonly number[];
}

export interface IrGraph {
  readonly nodes: readonly IrNode[];
  /** dtype and static shape of every value id (inputs, constants, node outputs). */
  readonly values: ReadonlyMap<number, IrValueType>;
  readonly constants: ReadonlyMap<number, IrConstant>;
  readonly inputs: readonly IrValue[];
  readonly outputs: readonly IrValue[];
}

export function int(value: number): AttrValue {
  return { kind: 'int', value };
}

export function ints(value: readonly number[]): AttrValue {
  return { kind: 'ints', value };
}
