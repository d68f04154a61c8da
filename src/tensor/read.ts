// Reading values back to JS: the helpers of the Tensor read methods (Note [Reads] in tensor.ts).
import type { Storage } from '../backend/backend.js';
import { ShapeError, SyncReadError, fmtShape } from '../errors.js';
import type { TypedArray } from './dtype.js';
import { formatTensor } from './print.js';
import { contiguousStrides } from './shape.js';
import type { Tensor } from './tensor.js';
import type { NestedArray } from './types.js';

/** Read the whole storage, or a contiguous copy of this view (freed at once: a pending read keeps it). */
export function readWith<R>(t: Tensor, read: (s: Storage) => R): R {
  const n = t.numel();
  if (t.isContiguous() && t.offset === 0 && n === t.storage.size) return read(t.storage);
  const be = t.storage.backend;
  const copy = be.alloc(t.dtype, n);
  try {
    be.copy(t, { storage: copy, shape: t.shape, strides: contiguousStrides(t.shape), offset: 0 });
    return read(copy);
  } finally {
    be.free(copy);
  }
}

export function checkScalar(t: Tensor, method: string): void {
  if (t.numel() !== 1)
    throw new ShapeError(`${method}: a Tensor with ${t.numel()} elements cannot be converted to a scalar (shape ${fmtShape(t.shape)})`);
}

export function syncReadError(t: Tensor, call: string, alternative: string): SyncReadError {
  return new SyncReadError(`${call}: device '${t.device}' has no synchronous read (its work runs asynchronously); use ${alternative} instead`);
}

/** PyTorch's printed form of t, given its values. */
export function formatValues(t: Tensor, values: TypedArray): string {
  return formatTensor({
    shape: t.shape,
    dtype: t.dtype,
    values,
    requiresGrad: t.requiresGrad && t.isLeaf,
    gradFn: t.gradFn?.name ?? null,
    // host-CPU backends (cpu, wasm) print like torch's cpu tensors: no device=
    device: t.storage.backend.isCpu ? undefined : t.device,
  });
}

/** What toString() prints on a device without synchronous reads: how to print instead. */
export function unreadable(t: Tensor): string {
  return `tensor(<${t.numel()} values of shape ${fmtShape(t.shape)}, dtype=${t.dtype}, device='${t.device}'>): ` +
    `this device reads asynchronously; print it with console.log(await t.toStringAsync())`;
}

/** Row-major values → nested arrays of `shape` (bools as booleans). */
export function nest(data: TypedArray, shape: readonly number[], bool: boolean): NestedArray {
  const conv = (v: number): number | boolean => (bool ? v !== 0 : v);
  if (shape.length === 0) return conv(data[0]!);
  let k = 0;
  const build = (d: number): NestedArray[] => {
    const out: NestedArray[] = [];
    for (let i = 0; i < shape[d]!; i++) out.push(d === shape.length - 1 ? conv(data[k++]!) : build(d + 1));
    return out;
  };
  return build(0);
}
