// Typed errors: every message names the argument and the shapes/dtypes involved.
export class FastgradError extends Error {
  override name = 'FastgradError';
}
/** Shapes that do not fit together (broadcasting, matmul, view). */
export class ShapeError extends FastgradError {
  override name = 'ShapeError';
}
/** A dtype that an op cannot take. */
export class DTypeError extends FastgradError {
  override name = 'DTypeError';
}
/** An index or dim out of range. */
export class IndexError extends FastgradError {
  override name = 'IndexError';
}
/** Misuse of the autograd graph (second backward, modified saved tensor, grad on int tensor). */
export class AutogradError extends FastgradError {
  override name = 'AutogradError';
}
/** Tensors of one op on different devices (e.g. 'cpu' and 'wasm'). */
export class DeviceError extends FastgradError {
  override name = 'DeviceError';
}
/** A device ran out of memory (the wasm backend's 4 GiB limit): the message says how much was live. */
export class OutOfMemoryError extends DeviceError {
  override name = 'OutOfMemoryError';
}
/** A tensor used after its memory was freed (by free(), a tidy, a MemoryScope or the Learner's per-batch scope). */
export class UseAfterFreeError extends FastgradError {
  override name = 'UseAfterFreeError';
}
/**
 * A synchronous read (dataSync, item, tolist, printing, a device move) of a tensor on a device that only
 * reads asynchronously (webgpu, 'cpu-async'); the message names the awaitable form to use instead.
 */
export class SyncReadError extends DeviceError {
  override name = 'SyncReadError';
}
/**
 * An argument of the wrong kind or value, whatever the tensor: a fractional or NaN index, size, dim
 * or step, a negative size, a count past what a tensor can hold (torch raises TypeError for the
 * first, RuntimeError for the others). Messages name the function, the argument and the value.
 */
export class ArgumentError extends FastgradError {
  override name = 'ArgumentError';
}
/** Integer division or remainder by zero (torch: "ZeroDivisionError"). */
export class ZeroDivisionError extends FastgradError {
  override name = 'ZeroDivisionError';
}
/** Bad or hostile file contents. */
export class FormatError extends FastgradError {
  override name = 'FormatError';
}

/** A device that cannot start: an engine without WebAssembly SIMD, a damaged package, a missing build. */
export class BackendUnavailableError extends FastgradError {
  override name = 'BackendUnavailableError';
}
/** A worker thread of a backend died or threw while running a kernel (the op's result is lost). */
export class WorkerError extends FastgradError {
  override name = 'WorkerError';
}

export const fmtShape = (s: readonly number[]): string => `[${s.join(', ')}]`;
