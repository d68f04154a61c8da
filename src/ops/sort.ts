// sort / argsort / topk. The ordering is computed on the host (a routine, not a primitive: it does
// not fuse and is rarely hot); values then come from gather, which gives the gradient for free.
import { DTypeError, IndexError } from '../errors.js';
import { normDim } from '../tensor/shape.js';
import { fromArray } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { type ValuesIndices, valuesIndices } from './reduce.js';

export interface SortOpts {
  descending?: boolean;
  /** torch's stable=True; this sort is always stable. */
  stable?: boolean;
}

/** Indices that sort each row along dim (stable; NaN sorts as the largest, like torch). */
function sortIndices(x: Tensor, d: number, descending: boolean, k: number): Tensor {
  if (x.dtype === 'bool' && false) throw new DTypeError('sort: bool');
  const moved = x.transpose(d, -1).contiguous();
  const vals = moved.dataSync();
  const n = x.ndim === 0 ? 1 : x.shape[d]!;
  const rows = n === 0 ? 0 : vals.length / n;
  const out = new Int32Array(rows * k);
  const idx = new Array<number>(n);
  const key = (v: number): number => (v !== v ? Infinity : v);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < n; i++) idx[i] = i;
    const base = r * n;
    idx.sort((a, b) => {
      const va = vals[base + a]!, vb = vals[base + b]!;
      const na = va !== va, nb = vb !== vb;
      if (na || nb) return na === nb ? a - b : descending ? (na ? -1 : 1) : na ? 1 : -1;
      const c = descending ? key(vb) - key(va) : key(va) - key(vb);
      return c !== 0 ? c : a - b;
    });
    for (let i = 0; i < k; i++) out[r * k + i] = idx[i]!;
  }
  const shape = moved.shape.slice();
  if (shape.length) shape[shape.length - 1] = k;
  return fromArray(out, shape, { device: x.device }).transpose(d, -1);
}

export function sort(x: Tensor, dim = -1, opts: SortOpts = {}): ValuesIndices {
  if (x.ndim === 0) return valuesIndices(x.clone(), fromArray(new Int32Array(1), [], { device: x.device }));
  const d = normDim(dim, x.ndim);
  const indices = sortIndices(x, d, opts.descending ?? false, x.shape[d]!).contiguous();
  return valuesIndices(x.gather(d, indices), indices);
}

export function argsort(x: Tensor, dim = -1, opts: SortOpts = {}): Tensor {
  return sort(x, dim, opts).indices;
}

export interface TopkOpts {
  dim?: number;
  largest?: boolean;
  sorted?: boolean;
}

/** torch.topk: the k largest (or smallest) along dim, sorted. */
export function topk(x: Tensor, k: number, opts: TopkOpts = {}): ValuesIndices {
  const d = normDim(opts.dim ?? -1, x.ndim);
  const n = x.ndim === 0 ? 1 : x.shape[d]!;
  if (!Number.isInteger(k) || k < 0 || k > n) throw new IndexError(`topk: k (${k}) out of range for dimension ${d} of size ${n}`);
  if (x.ndim === 0) return sort(x);
  const indices = sortIndices(x, d, opts.largest ?? true, k).contiguous();
  return valuesIndices(x.gather(d, indices), indices);
}
