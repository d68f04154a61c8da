// The backend contract: the small, closed set of primitives every device implements.
// Everything a user calls (broadcasting, promotion, autograd, indexing) is composed above this in ops/.
// A backend receives *views* (storage + shape + strides + offset): it must handle arbitrary strides,
// including 0-strides from broadcasting, so no op ever materialises a broadcast.
//
// Note [What a backend may defer]: a primitive call *dispatches* work; it need not have run when the
// call returns (WebGPU queues it, cpu and wasm run it at once). The rules every backend keeps:
// - Program order: work runs in the order it was dispatched, so a primitive sees the effects of every
//   earlier one (an in-place write, then a read of the same storage, reads the new values).
// - Flushing: queued work is submitted when a read needs it, or earlier at the backend's discretion
//   (a queue limit, an idle turn of the event loop); nothing else forces it.
// - Reads: `read(s)` resolves to a copy of the storage's values after all work dispatched before the
//   call (so later dispatches never show in it). Every backend has it. `readSync(s)` is a capability:
//   backends that compute on the host (cpu, wasm) have it; an asynchronous device (webgpu) leaves it
//   out, and Tensor.dataSync/item/tolist then throw SyncReadError pointing at the async forms.
// - Freeing: `free(s)` may be called while dispatched work (or a pending `read`) still uses s; the
//   backend must keep the memory until that work is done, and may reuse it afterwards.
// - Errors found while executing (an out-of-range gather index) are thrown by the primitive when the
//   backend executes synchronously, else reported at the next read.
// Capabilities are properties of the backend (`readSync` present, `isCpu`, `hostArray`, the fused
// optimizer steps), never tests of the device name.
import type { DType, TypedArray } from '../tensor/dtype.js';
import { BackendUnavailableError, DeviceError } from '../errors.js';
import { createCpuBackend } from './cpu/index.js';

/** A buffer on a device. `version` counts in-place writes (autograd's saved-tensor check). */
export interface Storage {
  readonly backend: Backend;
  readonly dtype: DType;
  readonly size: number;
  version: number;
  /** Set when a scope or test harness freed it: named in the use-after-free error. */
  freedBy?: string;
  /** Set by keep(): no scope frees it. */
  kept?: boolean;
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
   * Memory (Note [Memory rules] in tidy.ts): `alloc`/`fromArray` report each new storage to
   * scope.ts (`noteAlloc`); `free` releases one at once (idempotent; any later use throws
   * UseAfterFreeError); `isFreed` tells; `trackForGc` is called for a storage a scope owned that
   * outlives every scope (a backend that frees through a FinalizationRegistry registers it then).
   */
  isFreed?(s: Storage): boolean;
  trackForGc?(s: Storage): void;
  alloc(dtype: DType, size: number): Storage;
  /** Upload: the storage takes the values of `data` (the backend may keep or copy the array). */
  fromArray(data: TypedArray): Storage;
  /**
   * Download: a copy of the whole storage, resolved after all work dispatched before this call (see
   * Note [What a backend may defer]). Every backend has it.
   */
  read(s: Storage): Promise<TypedArray>;
  /** Synchronous download (a copy), for backends that can (cpu, wasm); absent on asynchronous devices. */
  readSync?(s: Storage): TypedArray;
  /**
   * The storage's own array, no copy (backends whose storages are plain typed arrays in host memory:
   * the reference cpu backend). Writes to it change the tensor, bypassing autograd's version counter.
   */
  hostArray?(s: Storage): TypedArray;
  /** Release the memory; pending work that uses s still completes (the backend keeps it until then). */
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

// ---------------- registry ----------------
// Devices are registered by name. Only the reference backend is built in; the others register
// themselves from modules above this one (wasm: ./wasm/register.ts, imported by the package entry), so
// this file imports no backend but the reference.

/** Creates a backend: synchronously (usable at once), or a promise (then `await initBackend(name)`). */
export type BackendFactory = () => Backend | Promise<Backend>;

export interface RegisterOptions {
  /**
   * A candidate for the default device, tried (synchronously, on first use) before 'cpu', in order of
   * registration (Note [Default device]). It stays one when the factory is replaced without this option.
   */
  preferDefault?: boolean;
}

const registry = new Map<string, BackendFactory>([['cpu', createCpuBackend]]);
const instances = new Map<string, Backend>();
/** Why a registered device could not be created (kept, so a failing factory is not retried per op). */
const failures = new Map<string, Error>();
const preferred: string[] = [];

/** Register a backend factory under a device name ('cpu', 'wasm', 'webgpu', 'cuda'). */
export function registerBackend(name: string, factory: BackendFactory, opts: RegisterOptions = {}): void {
  registry.set(name, factory);
  failures.delete(name);
  const at = preferred.indexOf(name);
  if (opts.preferDefault === true && at < 0) preferred.push(name);
  if (opts.preferDefault === false && at >= 0) preferred.splice(at, 1);
}

function factoryOf(name: string): BackendFactory {
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
    const err = new BackendUnavailableError(`device '${name}' is unavailable: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
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

/** The backends created so far. */
export function liveBackends(): Backend[] {
  return [...instances.values()];
}

export function registeredBackends(): string[] {
  return [...registry.keys()];
}

// Note [Default device]: new tensors go to the default device. Unless set (setDefaultDevice, or the
// FASTGRAD_BACKEND environment variable, e.g. FASTGRAD_BACKEND=cpu for the reference backend) it is
// the first registered candidate (RegisterOptions.preferDefault: 'wasm' on Node, see
// wasm/register.ts) that can be created synchronously, else 'cpu'. It is decided on first use, not at
// import. A candidate that cannot start is said once on stderr, with the reason (a slow fallback must
// not pass unnoticed); FASTGRAD_BACKEND=cpu chooses cpu without trying it. In a browser no candidate
// is registered: `await initBackend('wasm'); setDefaultDevice('wasm')`.
let defaultDevice: string | null = null;
const envOf = (k: string): string | undefined => (typeof process !== 'undefined' ? process.env?.[k] : undefined);

function resolveDefaultDevice(): string {
  const forced = envOf('FASTGRAD_BACKEND')?.trim();
  if (forced) {
    try {
      getBackend(forced);
    } catch (e) {
      const Err = e instanceof BackendUnavailableError ? BackendUnavailableError : DeviceError;
      throw new Err(`FASTGRAD_BACKEND=${forced}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    return forced;
  }
  let chosen = 'cpu';
  const skipped: string[] = [];
  for (const name of preferred) {
    try {
      getBackend(name);
      chosen = name;
      break;
    } catch (e) {
      skipped.push(e instanceof Error ? e.message : String(e));
    }
  }
  for (const why of skipped) console.error(`fastgrad: default device is ${chosen} (${why}); FASTGRAD_BACKEND=${chosen} selects ${chosen} without this notice`);
  return chosen;
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
