// Dtypes and PyTorch's type-promotion rules.
//
// NOTE: PyTorch's default integer dtype is int64; fastgrad has no int64 and uses int32 in its place
// (`arange(3)`, `argmax`, `randperm` all give int32). Printing treats int32 as the default integer
// dtype, so `tensor([1, 2])` prints without a `dtype=` suffix exactly as PyTorch prints int64.
// float64 exists for the finite-difference gradient checker and golden comparisons (reference CPU only).

export type DType = 'float32' | 'float64' | 'int32' | 'uint8' | 'bool';
export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'uint8', 'bool'];

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;
export type TypedArrayFor<D extends DType> = D extends 'float32'
  ? Float32Array
  : D extends 'float64'
    ? Float64Array
    : D extends 'int32'
      ? Int32Array
      : Uint8Array;

export function typedArrayFor(dtype: DType, n: number): TypedArray {
  switch (dtype) {
    case 'float32': return new Float32Array(n);
    case 'float64': return new Float64Array(n);
    case 'int32': return new Int32Array(n);
    case 'uint8':
    case 'bool': return new Uint8Array(n);
  }
}

export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  return 'uint8';
}

export const isFloating = (d: DType): boolean => d === 'float32' || d === 'float64';
export const isIntegral = (d: DType): boolean => d === 'int32' || d === 'uint8';

/** Category used by promotion: bool < integral < floating. */
export function category(d: DType): 0 | 1 | 2 {
  return d === 'bool' ? 0 : isFloating(d) ? 2 : 1;
}

/** torch.promote_types for two tensor dtypes of the same priority. */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  const ca = category(a), cb = category(b);
  if (ca !== cb) return ca > cb ? a : b;
  if (ca === 2) return 'float64';
  // both integral: uint8 + int32 -> int32
  return 'int32';
}

/** Python-number operand kind for promotion with tensors (PyTorch treats these as lowest priority). */
export type ScalarKind = 'bool' | 'int' | 'float';
export function scalarKind(v: number | boolean): ScalarKind {
  if (typeof v === 'boolean') return 'bool';
  return Number.isInteger(v) ? 'int' : 'float';
}
const scalarCategory = (k: ScalarKind): 0 | 1 | 2 => (k === 'bool' ? 0 : k === 'int' ? 1 : 2);
const defaultFor = (cat: 0 | 1 | 2): DType => (cat === 0 ? 'bool' : cat === 1 ? 'int32' : 'float32');

/**
 * torch.result_type over operands: dimensioned tensors win over 0-d tensors, which win over Python
 * scalars, unless a lower-priority operand belongs to a higher category (then that category's default
 * dtype — or the 0-d tensor's own dtype — is used).
 */
export function resultType(operands: ReadonlyArray<{ dtype: DType; ndim: number } | number | boolean>): DType {
  let dim: DType | null = null, zero: DType | null = null, scal: 0 | 1 | 2 | null = null;
  for (const o of operands) {
    if (typeof o === 'number' || typeof o === 'boolean') {
      const c = scalarCategory(scalarKind(o));
      scal = scal === null ? c : (Math.max(scal, c) as 0 | 1 | 2);
    } else if (o.ndim === 0) zero = zero === null ? o.dtype : promoteTypes(zero, o.dtype);
    else dim = dim === null ? o.dtype : promoteTypes(dim, o.dtype);
  }
  let res: DType | null = dim;
  if (zero !== null) res = res === null ? zero : category(zero) > category(res) ? zero : res;
  if (scal !== null) res = res === null ? defaultFor(scal) : scal > category(res) ? defaultFor(scal) : res;
  return res ?? 'float32';
}

/** Name as PyTorch prints it (`torch.float32`). int32 stands for PyTorch's int64 default. */
export function torchName(d: DType): string {
  return d === 'bool' ? 'torch.bool' : `torch.${d}`;
}

/** Coerce a JS number to what storing it in a dtype gives (truncation toward zero, wrap, bool). */
export function castScalar(v: number, dtype: DType): number {
  switch (dtype) {
    case 'float32': return Math.fround(v);
    case 'float64': return v;
    case 'int32': return Number.isFinite(v) ? Math.trunc(v) | 0 : 0;
    case 'uint8': return Number.isFinite(v) ? Math.trunc(v) & 255 : 0;
    case 'bool': return v !== 0 ? 1 : 0;
  }
}
