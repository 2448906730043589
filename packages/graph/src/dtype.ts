export type FloatDType = 'float16' | 'float32' | 'float64';
export type DType = FloatDType | 'int32' | 'int64' | 'bool';

/** TensorProto.DataType codes from onnx.proto. */
export const ONNX_DATA_TYPE: Readonly<Record<DType, number>> = {
  float32: 1,
  bool: 9,
  int32: 6,
  int64: 7,
  float16: 10,
  float64: 11,
};

export function isFloatDType(dtype: DType): dtype is FloatDType {
  return dtype === 'float16' || dtype === 'float32' || dtype === 'float64';
}
