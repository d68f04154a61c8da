// sort / argsort / topk. The ordering is computed on the host (a routine, not a primitive: it does
// not fuse and is rarely hot); values then come from the gather primitive, and their gradient is the
// matching scatter-add (recorded as torch's SortBackward0/1 and TopkBackward0).
import { record1 } from '../autograd/node.js';
import { noGrad } from '../autograd/grad_mode.js';
import { IndexError } from '../errors.js';
import { checkInt, normDim } from '../tensor/shape.js';
import { fromArray } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import type { SortOpts, TopkOpts } from '../tensor/types.js';
import { type ValuesIndices, valuesIndices } from './reduce.js';

export type { SortOpts, TopkOpts };

/** Indices that sort each row along dim (stable; NaN sorts as the largest, like torch). */
function sortIndices(x: Tensor, d: number, descending: boolean, k: number): Tensor {
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

/** Values at `indices` along d, recorded as one node (torch's SortBackward0 / TopkBackward0). */
function takeAlong(x: Tensor, d: number, indices: Tensor, name: string): Tensor {
  if (x.ndim === 0) return record1(name, [x], noGrad(() => x.clone()), (g) => [g]);
  const values = noGrad(() => x.gather(d, indices));
  return record1(name, [x], values, (g) => [x.zerosLike().scatterAdd(d, indices, g)], [], [indices]);
}

export function sort(x: Tensor, dim = -1, opts: SortOpts = {}): ValuesIndices {
  // NOTE: torch names the node after the overload: sort(stable=...) is SortBackward1.
  const name = opts.stable === undefined ? 'SortBackward0' : 'SortBackward1';
  if (x.ndim === 0) return valuesIndices(takeAlong(x, 0, x, name), fromArray(new Int32Array(1), [], { device: x.device }));
  const d = normDim(dim, x.ndim, 'dim', 'sort');
  const indices = sortIndices(x, d, opts.descending ?? false, x.shape[d]!).contiguous();
  return valuesIndices(takeAlong(x, d, indices, name), indices);
}

export function argsort(x: Tensor, dim = -1, opts: SortOpts = {}): Tensor {
  return sort(x, dim, opts).indices;
}

/** torch.topk: the k largest (or smallest) along dim, sorted. */
export function topk(x: Tensor, k: number, opts: TopkOpts = {}): ValuesIndices {
  const d = normDim(opts.dim ?? -1, x.ndim, 'dim', 'topk');
  const n = x.ndim === 0 ? 1 : x.shape[d]!;
  if (checkInt(k, 'topk', 'k') < 0 || k > n) throw new IndexError(`topk: k (${k}) out of range for dimension ${d} of size ${n}`);
  if (x.ndim === 0) return valuesIndices(takeAlong(x, 0, x, 'TopkBackward0'), fromArray(new Int32Array(1), [], { device: x.device }));
  const indices = sortIndices(x, d, opts.largest ?? true, k).contiguous();
  return valuesIndices(takeAlong(x, d, indices, 'TopkBackward0'), indices);
}
