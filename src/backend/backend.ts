// The backend contract: the small, closed set of primitives every device implements.
// Everything a user calls (broadcasting, promotion, autograd, indexing) is composed above this in ops/.
// A backend receives *views* (storage + shape + strides + offset): it must handle arbitrary strides,
// including 0-strides from broadcasting, so no op ever materialises a broadcast.
import type { DType, TypedArray } from '../tensor/dtype.js';
import { createCpuBackend } from './cpu/index.js';
import { defaultWasmFactory } from './wasm/index.js';
import { DeviceError } from '../errors.js';

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

export { UNARY_OPS, BINARY_OPS, COMPARISON_OPS, REDUCE_OPS, type UnaryOp, type BinaryOp, type ReduceOp } from './ops.js';
import type { UnaryOp, BinaryOp, ReduceOp } from './ops.js';

export type ArgReduceOp = 'argmax' | 'argmin';

/** avg = avg*mom + g*(1-mom); sqr = sqr*sqrMom + g²*(1-sqrMom); p -= avg / (sqrt(sqr/debias2) + eps) * lr/debias1. */
export interface AdamStepParams {
  lr: number;
  mom: number;
  sqrMom: number;
  eps: number;
  debias1: number;
  debias2: number;
}

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
  /**
   * Computes on the host CPU (cpu, wasm): tensors print like PyTorch's CPU tensors, without
   * `device=`. Absent or false for accelerators (webgpu, cuda), whose tensors print their device.
   */
  readonly isCpu?: boolean;
  /**
   * Allocation scopes, for backends that free memory deterministically (fg.tidy): `openScope` starts
   * recording the storages allocated from now on; `closeScope` ends the innermost scope and frees
   * those of its storages that `keep` does not claim (kept ones move to the enclosing scope).
   */
  openScope?(): void;
  closeScope?(keep: (s: Storage) => boolean): void;
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
  /**
   * Optional fused optimizer updates, on contiguous float32 tensors of one size (optim/ uses them when
   * present, else runs the op sequence): bit-identical to the op sequences they replace.
   * sgdStep: p -= lr*g, or with `avg` (momentum) avg = mom*avg + g, p -= lr*avg.
   * adamStep: fastai's Adam without weight decay (see AdamStepParams).
   */
  sgdStep?(p: View, g: View, avg: View | null, lr: number, mom: number): void;
  adamStep?(p: View, g: View, avg: View, sqr: View, h: AdamStepParams): void;
  /** NCHW convolution and its two backward passes. */
  conv2d(x: View, w: View, out: View, p: Conv2dParams): void;
  conv2dBackwardInput(gradOut: View, w: View, gradIn: View, p: Conv2dParams): void;
  conv2dBackwardWeight(x: View, gradOut: View, gradW: View, p: Conv2dParams): void;
}

const registry = new Map<string, () => Backend | Promise<Backend>>();
const instances = new Map<string, Backend>();
/** Why a registered device could not be created (kept, so a failing factory is not retried per op). */
const failures = new Map<string, Error>();
// The reference backend is always there. The wasm backend is registered too: its factory is
// synchronous on Node (so it can be the default device) and a promise elsewhere.
registry.set('cpu', createCpuBackend);
registry.set('wasm', defaultWasmFactory);

/** Register a backend factory under a device name ('cpu', 'wasm', 'webgpu', 'cuda'). */
export function registerBackend(name: string, factory: () => Backend | Promise<Backend>): void {
  registry.set(name, factory);
  failures.delete(name);
}

function factoryOf(name: string): () => Backend | Promise<Backend> {
  const f = registry.get(name);
  if (!f) throw new DeviceError(`unknown device '${name}': registered devices are ${[...registry.keys()].join(', ')}`);
  return f;
}

/** Initialise (possibly asynchronously) a registered backend so it can be used synchronously. */
export async function initBackend(name: string): Promise<Backend> {
  const have = instances.get(name);
  if (have) return have;
  const b = await factoryOf(name)();
  instances.set(name, b);
  failures.delete(name);
  return b;
}

/** A ready backend by name; synchronous factories are created on first use. */
export function getBackend(name: string): Backend {
  const have = instances.get(name);
  if (have) return have;
  const f = factoryOf(name);
  const failed = failures.get(name);
  if (failed) throw failed;
  let b: Backend | Promise<Backend>;
  try {
    b = f();
  } catch (e) {
    const err = new DeviceError(`device '${name}' is unavailable: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    failures.set(name, err);
    throw err;
  }
  if (b instanceof Promise) {
    b.then((x) => instances.set(name, x), () => {}); // ready for the next call once it resolves
    throw new DeviceError(`device '${name}' must be initialised first: await initBackend('${name}')`);
  }
  instances.set(name, b);
  return b;
}

/** The backends created so far (fg.tidy applies to those with allocation scopes). */
export function liveBackends(): Backend[] {
  return [...instances.values()];
}

export function registeredBackends(): string[] {
  return [...registry.keys()];
}

// Note [Default device]: new tensors go to the default device. Unless set (setDefaultDevice, or the
// FASTGRAD_BACKEND environment variable, e.g. FASTGRAD_BACKEND=cpu for the reference backend) it is
// 'wasm' when the wasm backend can be created synchronously (Node >= 20.16 with WebAssembly SIMD and a
// built kernel module), else 'cpu'. It is decided on first use, not at import. A fallback to cpu is
// silent; getDefaultDevice() shows it, `getBackend('wasm')` throws the reason, and FASTGRAD_DEBUG=1
// prints it to stderr.
let defaultDevice: string | null = null;
const envOf = (k: string): string | undefined => (typeof process !== 'undefined' ? process.env?.[k] : undefined);

function resolveDefaultDevice(): string {
  const forced = envOf('FASTGRAD_BACKEND')?.trim();
  if (forced) {
    try {
      getBackend(forced);
    } catch (e) {
      throw new DeviceError(`FASTGRAD_BACKEND=${forced}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    return forced;
  }
  try {
    getBackend('wasm');
    return 'wasm';
  } catch (e) {
    if (envOf('FASTGRAD_DEBUG')) console.error(`fastgrad: default device is cpu (${e instanceof Error ? e.message : String(e)})`);
    return 'cpu';
  }
}

/** The device new tensors are created on (PyTorch's torch.set_default_device). */
export function setDefaultDevice(name: string): void {
  getBackend(name);
  defaultDevice = name;
}
/** The device new tensors are created on: see Note [Default device]. */
export function getDefaultDevice(): string {
  return (defaultDevice ??= resolveDefaultDevice());
}
