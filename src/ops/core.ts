// Helpers shared by the op families: allocation, casting, making contiguous, reducing a broadcast
// gradient back to an input's shape. Nothing here is public API.
import { type Backend, type Storage, getBackend, getDefaultDevice } from '../backend/backend.js';
import { DeviceError, SyncReadError } from '../errors.js';
import { record1 } from '../autograd/node.js';
import { type DType, castScalar } from '../tensor/dtype.js';
import { checkAlloc, checkShape, contiguousStrides, isContiguous, sameShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import type { Scalar, TensorLike } from '../tensor/types.js';

export type { Scalar, TensorLike };

export function backendOf(device?: string): Backend {
  return getBackend(device ?? getDefaultDevice());
}

/** A fresh contiguous tensor (uninitialised on backends that allow it; zeros on cpu). */
export function emptyTensor(shape: readonly number[], dtype: DType, be: Backend): Tensor {
  let n = 1;
  for (const s of shape) {
    if (!(Number.isSafeInteger(s) && s >= 0)) checkShape(shape, 'empty', 'shape'); // throws
    n *= s;
  }
  checkAlloc(n, '', shape);
  return new Tensor(be.alloc(dtype, n), shape.slice(), contiguousStrides(shape), 0);
}

/** Same storage, new geometry (a view). Autograd for views is recorded by the caller. */
export function makeView(t: Tensor, shape: readonly number[], strides: readonly number[], offset: number): Tensor {
  const v = new Tensor(t.storage, shape.slice(), strides.slice(), offset);
  v._base = t._base ?? t;
  return v;
}

/** A contiguous copy with dtype cast, outside autograd. */
export function copyRaw(t: Tensor, dtype: DType = t.dtype): Tensor {
  const out = emptyTensor(t.shape, dtype, t.storage.backend);
  t.storage.backend.copy(t, out);
  return out;
}

/** Cast preserving autograd (ToCopyBackward0); identity when the dtype already matches. */
export function castTo(t: Tensor, dtype: DType): Tensor {
  if (t.dtype === dtype) return t;
  const out = copyRaw(t, dtype);
  return record1('ToCopyBackward0', [t], out, (g) => [castTo(g, t.dtype)]);
}

/** `t.to(device)`: the copy in `storage` on `target`, differentiable (torch: ToCopyBackward0): the gradient moves back. */
export function movedTo(t: Tensor, target: string, storage: Storage): Tensor {
  const out = new Tensor(storage, t.shape.slice(), contiguousStrides(t.shape), 0);
  if (t.dtype === 'bool') out._setDtype('bool');
  const from = t.device;
  return record1('ToCopyBackward0', [t], out, (g) => {
    // NOTE: backward is synchronous, so a gradient on a device without readSync cannot move back
    if (!g.storage.backend.readSync)
      throw new SyncReadError(`backward of to('${target}'): the gradient on '${target}' would be moved back to '${from}' with a synchronous read, which '${target}' lacks; keep the graph on one device (move the inputs, not intermediates)`);
    return [g.to(from)];
  });
}

/** Contiguous version of t (a copy only when needed), differentiable. */
export function contiguous(t: Tensor): Tensor {
  if (isContiguous(t.shape, t.strides)) return t;
  const out = copyRaw(t);
  return record1('CloneBackward0', [t], out, (g) => [g]);
}

/** Sum a broadcast gradient back down to `shape` (the one helper every broadcasting backward uses). */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  let r = dims.length ? g.sum(dims, true) : g;
  if (lead > 0) r = r.reshape(shape);
  return r;
}

/** A 0-d tensor holding a scalar, cast to dtype. */
export function scalarTensor(v: number, dtype: DType, be: Backend): Tensor {
  const t = emptyTensor([], dtype, be);
  be.fill(t, castScalar(v, dtype));
  return t;
}

/**
 * Every tensor of an op must live on one device (torch: "Expected all tensors to be on the same device").
 * Tensors stay where they were created, so this names both devices and the fix.
 */
export function sameDevice(op: string, ...ts: (Tensor | null | undefined)[]): void {
  sameDeviceAll(op, ts);
}

/** sameDevice over a list (of any length: no argument spreading). */
export function sameDeviceAll(op: string, ts: readonly (Tensor | null | undefined)[]): void {
  let first: Tensor | null = null;
  for (const t of ts) {
    if (!t) continue;
    if (!first) first = t;
    else if (t.storage.backend !== first.storage.backend) throw deviceMismatch(op, first.device, t.device);
  }
}

export function deviceMismatch(op: string, a: string, b: string): DeviceError {
  const def = getDefaultDevice();
  const to = a === def || b === def ? def : b;
  return new DeviceError(
    `${op}: expected all tensors to be on the same device, but found tensors on '${a}' and on '${b}' ` +
      `(tensors stay on the device they were created on; the default device is now '${def}'). ` +
      `Move them to one device first, e.g. t.to('${to}').`,
  );
}

export function toNumber(v: Scalar): number {
  return typeof v === 'boolean' ? (v ? 1 : 0) : v;
}
