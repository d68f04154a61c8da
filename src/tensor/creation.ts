// Tensor factories: tensor(), zeros/ones/full/empty (+Like), arange, linspace, eye and the random
// factories, which draw from PyTorch's generator (random.ts) so seeds give torch's numbers.
import { getBackend, getDefaultDevice } from '../backend/backend.js';
import { ArgumentError, DTypeError, ShapeError, fmtShape } from '../errors.js';
import { type DType, type TypedArray, castScalar, dtypeOfArray, typedArrayFor } from './dtype.js';
import { type Generator, normalFill, randintFill, randperm as randpermArr, uniformFill } from './random.js';
import { MAX_NUMEL, checkAlloc, checkInt, checkShape, checkSize, contiguousStrides, describeValue } from './shape.js';
import { type NestedArray, Tensor } from './tensor.js';

export interface FactoryOpts {
  dtype?: DType;
  device?: string;
  requiresGrad?: boolean;
}
export interface RandomOpts extends FactoryOpts {
  generator?: Generator;
}

type Shape = readonly number[];

/**
 * Arrays `fromArray`/`tensor` take: the storage types, plus the narrower integer arrays a file reader
 * may return (IDX int8/int16), which are widened to int32 (a copy; fastgrad has no int8/int16 dtype).
 */
export type ArrayData = TypedArray | Int8Array | Int16Array | Uint16Array;

/** The storage array for `data`: itself, or an int32 copy of a narrower integer array. */
function storageArray(data: ArrayData, fn: string): TypedArray {
  if (data instanceof Float32Array || data instanceof Float64Array || data instanceof Int32Array) return data;
  if (data instanceof Uint8Array && !(data instanceof Uint8ClampedArray)) return data;
  if (data instanceof Int8Array || data instanceof Int16Array || data instanceof Uint16Array) return Int32Array.from(data);
  // NOTE: any other view would reach a backend with a byte length that does not match its dtype
  const got = ArrayBuffer.isView(data) ? `a ${(data as object).constructor.name}` : describeValue(data);
  throw new ArgumentError(`${fn}: data must be a Float32Array, Float64Array, Int32Array, Uint8Array, Int16Array, Uint16Array or Int8Array, got ${got}`);
}

/** A size argument: a shape array (or one number for a 1-D shape), checked and within the allocation limit. */
function sizeArg(size: Shape | number, fn: string): number[] {
  const s = checkShape(typeof size === 'number' ? [size] : size, fn);
  checkAlloc(s.reduce((a, b) => a * b, 1), fn, s);
  return s;
}

function finish(t: Tensor, opts: FactoryOpts): Tensor {
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

function fromTyped(data: TypedArray, shape: Shape, dtype: DType, device?: string): Tensor {
  const be = getBackend(device ?? getDefaultDevice());
  const t = new Tensor(be.fromArray(data), shape.slice(), contiguousStrides(shape), 0);
  if (dtype === 'bool') t._setDtype('bool');
  return t;
}

/** Flatten nested arrays, checking they are rectangular; returns values, shape and inferred kind. */
function flattenNested(data: NestedArray): { values: number[]; shape: number[]; kind: 'bool' | 'int' | 'float' } {
  const shape: number[] = [];
  let probe: NestedArray = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0] as NestedArray;
    if (probe === undefined) break;
  }
  const values: number[] = [];
  let kind: 'bool' | 'int' | 'float' = 'bool';
  let sawNumber = false;
  // `at` is where we are, e.g. data[1][0]: ragged-array errors point at the offending element.
  const walk = (x: NestedArray, d: number, at: string): void => {
    if (d === shape.length) {
      if (Array.isArray(x)) throw new ShapeError(`tensor(): ragged nested arrays: expected a number at ${at} (depth ${d}), got an array`);
      if (typeof x === 'boolean') values.push(x ? 1 : 0);
      else if (typeof x === 'number') {
        sawNumber = true;
        if (!Number.isInteger(x)) kind = 'float';
        else if (kind === 'bool') kind = 'int';
        values.push(x);
      } else throw new DTypeError(`tensor(): could not infer dtype of ${typeof x} ${String(x)}`);
      return;
    }
    if (!Array.isArray(x)) throw new ShapeError(`tensor(): ragged nested arrays: expected sequence of length ${shape[d]} at dim ${d} (got a number at ${at})`);
    if (x.length !== shape[d]) throw new ShapeError(`tensor(): ragged nested arrays: expected sequence of length ${shape[d]} at dim ${d} (got ${x.length} at ${at})`);
    x.forEach((v, i) => walk(v, d + 1, `${at}[${i}]`));
  };
  walk(data, 0, 'data');
  if (!sawNumber && values.length === 0) kind = 'float'; // tensor([]) is float32 in torch
  return { values, shape, kind };
}

/**
 * torch.tensor: from nested arrays (ints → int32, any float → float32, booleans → bool) or a typed array
 * (1-D, its own dtype unless `dtype` is given). `tensor([1, 2, 3], {requiresGrad: true})` needs floats.
 */
export function tensor(data: NestedArray | TypedArray | Tensor, opts: FactoryOpts = {}): Tensor {
  if (data instanceof Tensor) return finish(data.detach().clone().to(opts.dtype ?? data.dtype), opts);
  if (ArrayBuffer.isView(data)) {
    const arr = storageArray(data as TypedArray, 'tensor');
    const src = fromTyped(arr === data ? (arr.slice() as TypedArray) : arr, [arr.length], dtypeOfArray(arr), opts.device);
    return finish(opts.dtype ? src.to(opts.dtype) : src, opts);
  }
  const { values, shape, kind } = flattenNested(data);
  // NOTE: JS has no `3.` literal: integer-valued data infers int32 unless grad is requested.
  const dtype = opts.dtype ?? (kind === 'bool' ? 'bool' : kind === 'int' && !opts.requiresGrad ? 'int32' : 'float32');
  const arr = typedArrayFor(dtype, values.length);
  for (let i = 0; i < values.length; i++) arr[i] = dtype === 'bool' ? (values[i] ? 1 : 0) : values[i]!;
  return finish(fromTyped(arr, shape, dtype, opts.device), opts);
}

/**
 * A tensor over an existing typed array with a shape (no copy, except that Int8/Int16/Uint16 arrays are
 * widened to int32): `fromArray(readIdxFileSync(path).data, shape)`.
 */
export function fromArray(data: ArrayData, shape: Shape, opts: FactoryOpts = {}): Tensor {
  const s = checkShape(shape, 'fromArray', 'shape');
  const arr = storageArray(data, 'fromArray');
  const n = s.reduce((a, b) => a * b, 1);
  if (n !== arr.length) throw new ShapeError(`fromArray: shape ${fmtShape(s)} needs ${n} values but the array has ${arr.length}`);
  return finish(fromTyped(arr, s, opts.dtype === 'bool' ? 'bool' : dtypeOfArray(arr), opts.device), opts);
}

export function full(shape: Shape, value: number | boolean, opts: FactoryOpts = {}): Tensor {
  return filled(shape, value, opts, 'full');
}

function filled(shape: Shape, value: number | boolean, opts: FactoryOpts, fn: string): Tensor {
  const s = sizeArg(shape, fn);
  if (typeof value !== 'number' && typeof value !== 'boolean') throw new ArgumentError(`${fn}: fill_value must be a number or a boolean, got ${describeValue(value)}`);
  const dtype = opts.dtype ?? (typeof value === 'boolean' ? 'bool' : Number.isInteger(value) ? 'int32' : 'float32');
  // NOTE: allocated and filled on the device: no host array of the full size (a large tensor on wasm)
  const be = getBackend(opts.device ?? getDefaultDevice());
  const n = s.reduce((a, b) => a * b, 1);
  const t = new Tensor(be.alloc(dtype, n), s, contiguousStrides(s), 0);
  be.fill(t, castScalar(typeof value === 'boolean' ? (value ? 1 : 0) : value, dtype));
  return finish(t, opts);
}
export function zeros(shape: Shape, opts: FactoryOpts = {}): Tensor {
  return filled(shape, 0, { dtype: 'float32', ...opts }, 'zeros');
}
export function ones(shape: Shape, opts: FactoryOpts = {}): Tensor {
  return filled(shape, 1, { dtype: 'float32', ...opts }, 'ones');
}
/** torch.empty (zero-filled here, so results never depend on stale memory). */
export function empty(shape: Shape, opts: FactoryOpts = {}): Tensor {
  return filled(shape, 0, { dtype: 'float32', ...opts }, 'empty');
}
export const zerosLike = (t: Tensor, opts: FactoryOpts = {}): Tensor => zeros(t.shape, { dtype: t.dtype, device: t.device, ...opts });
export const onesLike = (t: Tensor, opts: FactoryOpts = {}): Tensor => ones(t.shape, { dtype: t.dtype, device: t.device, ...opts });
export const fullLike = (t: Tensor, v: number, opts: FactoryOpts = {}): Tensor => full(t.shape, v, { dtype: t.dtype, device: t.device, ...opts });
export const emptyLike = zerosLike;

// NOTE: torch's CPU range kernels fill whole SIMD vectors from one base value (base + j * step), pairs
// of vectors at a time, and only the tail element by element; that changes the last bits of floating
// results. arange/linspace below replay that schedule for torch's AVX2 build (vector widths below),
// so float results are bit-identical to torch on such machines (up to 32768 elements, where torch
// starts splitting the range across threads).
const VEC_WIDTH: Record<DType, number> = { float32: 8, float64: 4, int32: 4 /* torch int64 */, uint8: 32, bool: 32 };

/** out[i] for i in [0, n): vectors of V from vec(base(i), j), two per step, then scalar(i) for the tail. */
function vectorFill(out: TypedArray, V: number, scalar: (i: number) => number, base: (i: number) => number, vec: (b: number, j: number) => number): void {
  const n = out.length;
  let i = 0;
  for (; i <= n - 2 * V; i += 2 * V)
    for (let k = i; k < i + 2 * V; k += V) {
      const b = base(k);
      for (let j = 0; j < V; j++) out[k + j] = vec(b, j);
    }
  for (; i < n; i++) out[i] = scalar(i);
}

/** a * b + c rounded once (C's fma, which the compiler contracts torch's `start + step * idx` into). */
function fma(a: number, b: number, c: number): number {
  const p = a * b;
  const split = (x: number): [number, number] => {
    const t = 134217729 * x; // 2^27 + 1 (Veltkamp)
    const hi = t - (t - x);
    return [hi, x - hi];
  };
  const [ah, al] = split(a), [bh, bl] = split(b);
  const pe = ah * bh - p + ah * bl + al * bh + al * bl; // p + pe = a * b exactly
  const sum = p + c;
  const bb = sum - p;
  const se = p - (sum - bb) + (c - bb); // sum + se = p + c exactly
  return sum + (se + pe);
}

/** torch.arange(end) / arange(start, end, step): int32 when all arguments are integers. */
export function arange(start: number, end?: number, step = 1, opts: FactoryOpts = {}): Tensor {
  if (end === undefined) [start, end] = [0, start];
  const finite = (v: unknown, arg: string): void => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ArgumentError(`arange: ${arg} must be a finite number, got ${describeValue(v)}`);
  };
  finite(start, 'start');
  finite(end, 'end');
  finite(step, 'step');
  if (step === 0) throw new ArgumentError('arange: step must be nonzero');
  if ((end - start) / step < 0) throw new ArgumentError(`arange: upper bound and larger bound inconsistent with step sign (start=${start}, end=${end}, step=${step})`);
  const dtype = opts.dtype ?? ([start, end, step].every(Number.isInteger) ? 'int32' : 'float32');
  const n = Math.ceil((end - start) / step);
  if (n > MAX_NUMEL)
    throw new ArgumentError(`arange: [${start}, ${end}) with step ${step} has ${n} elements, more than the ${MAX_NUMEL} (2^32) one tensor can hold`);
  const last = start + (n - 1) * step;
  if (dtype === 'int32' && n > 0 && (Math.min(start, last) < -(2 ** 31) || Math.max(start, last) >= 2 ** 31))
    throw new ArgumentError(`arange: values from ${start} to ${last} do not fit int32 (fastgrad's int64); pass {dtype: 'float64'}`);
  const arr = typedArrayFor(dtype, n);
  const s = start, st = step;
  if (dtype === 'float64') vectorFill(arr, VEC_WIDTH.float64, (i) => fma(st, i, s), (i) => fma(st, i, s), (b, j) => fma(st, j, b));
  // float32: torch accumulates in double and rounds each vector's base to float first
  else if (dtype === 'float32') vectorFill(arr, VEC_WIDTH.float32, (i) => s + st * i, (i) => Math.fround(s + st * i), (b, j) => b + st * j);
  else for (let i = 0; i < n; i++) arr[i] = s + i * st;
  return finish(fromTyped(arr, [n], dtype, opts.device), opts);
}

/** torch.linspace (float32 by default), computed symmetrically from both ends in the output dtype, like torch. */
export function linspace(start: number, end: number, steps: number, opts: FactoryOpts = {}): Tensor {
  if (typeof start !== 'number' || typeof end !== 'number')
    throw new ArgumentError(`linspace: start and end must be numbers, got ${describeValue(start)} and ${describeValue(end)}`);
  checkAlloc(checkSize(steps, 'linspace', 'steps'), 'linspace', [steps]);
  const dtype = opts.dtype ?? 'float32';
  if (dtype === 'bool') throw new DTypeError('linspace: not implemented for bool');
  const arr = typedArrayFor(dtype, steps);
  const half = Math.floor(steps / 2);
  const V = VEC_WIDTH[dtype];
  if (steps === 1) arr[0] = start; // torch: [start]
  else if (dtype === 'float32') {
    // NOTE: torch computes in float: start, end and step are floats; the first half counts up from start, the rest down from end
    const f = Math.fround, s = f(start), e = f(end);
    const st = f(f(e - s) / (steps - 1));
    const at = (i: number): number => f(i < half ? fma(st, i, s) : fma(-st, steps - i - 1, e));
    vectorFill(arr, V, at, at, (b, j) => f(b + f(st * j)));
  } else if (dtype === 'float64') {
    const st = (end - start) / (steps - 1);
    const at = (i: number): number => (i < half ? fma(st, i, start) : fma(-st, steps - i - 1, end));
    vectorFill(arr, V, at, at, (b, j) => b + st * j);
  } else {
    // integer dtypes: a double step, truncated on store (the vector base too)
    const s = Math.trunc(start), e = Math.trunc(end);
    const st = (e - s) / (steps - 1);
    const at = (i: number): number => Math.trunc(i < half ? s + st * i : e - st * (steps - i - 1));
    vectorFill(arr, V, at, at, (b, j) => Math.trunc(b + st * j));
  }
  return finish(fromTyped(arr, [steps], dtype, opts.device), opts);
}

export function eye(n: number, m = n, opts: FactoryOpts = {}): Tensor {
  checkAlloc(checkSize(n, 'eye', 'n') * checkSize(m, 'eye', 'm'), 'eye', [n, m]);
  const dtype = opts.dtype ?? 'float32';
  const arr = typedArrayFor(dtype, n * m);
  for (let i = 0; i < Math.min(n, m); i++) arr[i * m + i] = 1;
  return finish(fromTyped(arr, [n, m], dtype, opts.device), opts);
}

function floatBuf(shape: Shape, dtype: DType): Float32Array | Float64Array {
  if (dtype !== 'float32' && dtype !== 'float64') throw new DTypeError(`random floats need a floating dtype, got ${dtype}`);
  const n = shape.reduce((a, b) => a * b, 1);
  return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
}

/** torch.rand: uniform [0, 1), bit-identical to torch's CPU generator for the same seed. */
export function rand(shape: Shape, opts: RandomOpts = {}): Tensor {
  const s = sizeArg(shape, 'rand');
  const buf = floatBuf(s, opts.dtype ?? 'float32');
  uniformFill(buf, 0, 1, opts.generator);
  return finish(fromTyped(buf, s, opts.dtype ?? 'float32', opts.device), opts);
}

/** torch.randn: standard normal, bit-identical to torch for float32. */
export function randn(shape: Shape, opts: RandomOpts = {}): Tensor {
  const s = sizeArg(shape, 'randn');
  const buf = floatBuf(s, opts.dtype ?? 'float32');
  normalFill(buf, 0, 1, opts.generator);
  return finish(fromTyped(buf, s, opts.dtype ?? 'float32', opts.device), opts);
}

/** torch.randint(low, high, shape): int32 (torch: int64). */
export function randint(low: number, high: number, shape: Shape, opts: RandomOpts = {}): Tensor {
  checkInt(low, 'randint', 'low');
  checkInt(high, 'randint', 'high');
  if (!(low < high)) throw new ArgumentError(`randint: expected low < high, got low=${low}, high=${high}`);
  const s = sizeArg(shape, 'randint');
  const dtype = opts.dtype ?? 'int32';
  if (dtype === 'bool') throw new DTypeError('randint: bool dtype is not supported');
  // NOTE: torch's int64 holds any range; int32 (its stand-in here) and uint8 would wrap silently
  const [lo, hi] = dtype === 'int32' ? [-(2 ** 31), 2 ** 31] : dtype === 'uint8' ? [0, 256] : [-Infinity, Infinity];
  if (low < lo || high > hi)
    throw new ArgumentError(`randint: [low, high) = [${low}, ${high}) does not fit dtype ${dtype} ([${lo}, ${hi})); pass {dtype: 'float64'} for a wider range`);
  const arr = typedArrayFor(dtype, s.reduce((a, b) => a * b, 1));
  randintFill(arr as Int32Array, low, high, opts.generator);
  return finish(fromTyped(arr, s, dtype, opts.device), opts);
}

/** torch.randperm(n): int32 (torch: int64). */
export function randperm(n: number, opts: RandomOpts = {}): Tensor {
  checkSize(n, 'randperm', 'n');
  if (n > 2 ** 31) throw new ArgumentError(`randperm: n=${n} is too large: its values must fit int32 (n <= 2^31)`);
  const p = randpermArr(n, opts.generator);
  const t = fromTyped(p, [n], 'int32', opts.device);
  return opts.dtype && opts.dtype !== 'int32' ? t.to(opts.dtype) : t;
}

/** torch.normal(mean, std, shape). */
export function normal(mean: number, std: number, shape: Shape, opts: RandomOpts = {}): Tensor {
  const s = sizeArg(shape, 'normal');
  const buf = floatBuf(s, opts.dtype ?? 'float32');
  normalFill(buf, mean, std, opts.generator);
  return finish(fromTyped(buf, s, opts.dtype ?? 'float32', opts.device), opts);
}
