// The backend contract: the small, closed set of primitives every device implements.
// Everything a user calls (broadcasting, promotion, autograd, indexing) is composed above this in ops/.
// A backend receives *views* (storage + shape + strides + offset): it must handle arbitrary strides,
// including 0-strides from broadcasting, so no op ever materialises a broadcast.
import type { DType, TypedArray } from '../tensor/dtype.js';
import { createCpuBackend } from './cpu/index.js';

/** A buffer on a device. `version` counts in-place writes (autograd's saved-tensor check). */
export interface Storage {
  readonly backend: Backend;
  readonly dtype: DType;
  readonly size: number;
  version: number;
}

/** A strided window onto a storage; also what kernels receive. */
export interface View {
  readonly storage: Storage;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

export const UNARY_OPS = [
  'neg', 'abs', 'exp', 'log', 'sqrt', 'rsqrt', 'sigmoid', 'tanh', 'relu', 'sin', 'cos', 'tan',
  'floor', 'ceil', 'round', 'trunc', 'sign', 'reciprocal', 'expm1', 'log1p', 'log2', 'exp2',
  'square', 'logicalNot', 'isnan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'erf', 'frac',
] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

export const BINARY_OPS = [
  'add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'floorDivide', 'remainder', 'atan2',
  'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr', 'logicalXor',
  'bitwiseAnd', 'bitwiseOr', 'bitwiseXor',
] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];
export const COMPARISON_OPS: ReadonlySet<BinaryOp> = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr', 'logicalXor']);

export type ReduceOp = 'sum' | 'prod' | 'max' | 'min';
export type ArgReduceOp = 'argmax' | 'argmin';

export interface Conv2dParams {
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  groups: number;
}

/**
 * The primitives. Inputs are views; `out` is always a view of a storage this backend owns.
 * Operands of binary/where already have the compute dtype (ops/ casts first), and are already
 * broadcast to `out.shape` (strides of 0), so kernels do no shape logic.
 */
export interface Backend {
  readonly name: string;
  alloc(dtype: DType, size: number): Storage;
  /** Upload: the storage takes the values of `data` (the backend may keep or copy the array). */
  fromArray(data: TypedArray): Storage;
  /** Download the whole storage synchronously (cpu/wasm/cuda); WebGPU throws and offers readAsync. */
  read(s: Storage): TypedArray;
  readAsync(s: Storage): Promise<TypedArray>;
  free(s: Storage): void;
  fill(out: View, value: number): void;
  /** Strided copy with dtype cast: out[i] = cast(x[i]); shapes equal. */
  copy(x: View, out: View): void;
  unary(op: UnaryOp, x: View, out: View): void;
  /** Either operand may be a scalar already cast to the compute dtype. */
  binary(op: BinaryOp, a: View | number, b: View | number, out: View): void;
  where(cond: View, a: View | number, b: View | number, out: View): void;
  /** Clamp with optional scalar bounds (NaN propagates, like torch.clamp). */
  clamp(x: View, min: number | null, max: number | null, out: View): void;
  /** Reduce `axes` of x into out, whose shape is x's with those axes set to 1 (keepdim). */
  reduce(op: ReduceOp, x: View, axes: readonly number[], out: View): void;
  /** Index of the first max/min along one axis (NaN counts as max), out int32 keepdim. */
  argReduce(op: ArgReduceOp, x: View, axis: number, out: View): void;
  cumsum(x: View, axis: number, out: View): void;
  /** Batched matmul: a [B,M,K], b [B,K,N], out [B,M,N]; batch strides may be 0. */
  matmul(a: View, b: View, out: View): void;
  /** out[.., i, ..] = x[.., index[.., i, ..], ..] along axis (torch.gather); index int32. */
  gather(x: View, axis: number, index: View, out: View): void;
  /** out[.., index[.., i, ..], ..] += src[.., i, ..] along axis (torch.scatter_add_), in place. */
  scatterAdd(out: View, axis: number, index: View, src: View): void;
  /** NCHW convolution and its two backward passes. */
  conv2d(x: View, w: View, out: View, p: Conv2dParams): void;
  conv2dBackwardInput(gradOut: View, w: View, gradIn: View, p: Conv2dParams): void;
  conv2dBackwardWeight(x: View, gradOut: View, gradW: View, p: Conv2dParams): void;
}

const registry = new Map<string, () => Backend | Promise<Backend>>();
const instances = new Map<string, Backend>();
// The reference backend is always there; others register themselves explicitly (lazy imports).
registry.set('cpu', createCpuBackend);

/** Register a backend factory under a device name ('cpu', 'wasm', 'webgpu', 'cuda'). */
export function registerBackend(name: string, factory: () => Backend | Promise<Backend>): void {
  registry.set(name, factory);
}

/** Initialise (possibly asynchronously) a registered backend so it can be used synchronously. */
export async function initBackend(name: string): Promise<Backend> {
  const have = instances.get(name);
  if (have) return have;
  const f = registry.get(name);
  if (!f) throw new Error(`unknown device '${name}': registered devices are ${[...registry.keys()].join(', ')}`);
  const b = await f();
  instances.set(name, b);
  return b;
}

/** A ready backend by name; synchronous factories are created on first use. */
export function getBackend(name: string): Backend {
  const have = instances.get(name);
  if (have) return have;
  const f = registry.get(name);
  if (!f) throw new Error(`unknown device '${name}': registered devices are ${[...registry.keys()].join(', ')}`);
  const b = f();
  if (b instanceof Promise) throw new Error(`device '${name}' must be initialised first: await initBackend('${name}')`);
  instances.set(name, b);
  return b;
}

export function registeredBackends(): string[] {
  return [...registry.keys()];
}

let defaultDevice = 'cpu';
/** The device new tensors are created on (PyTorch's torch.set_default_device). */
export function setDefaultDevice(name: string): void {
  getBackend(name);
  defaultDevice = name;
}
export function getDefaultDevice(): string {
  return defaultDevice;
}
