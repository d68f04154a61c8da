// Function-style forms of the ops (torch.cat, torch.where, ...), for `import { cat } from 'fastgrad'`.
import { Tensor } from '../tensor/tensor.js';
import type { TensorLike } from './core.js';
import { binary, clamp as clampOp, where as whereOp } from './elementwise.js';
import { cat as catOp, stack as stackOp } from './movement.js';
import { conv2d as conv2dOp, type Conv2dOpts } from './linalg.js';
import { sort as sortOp, argsort as argsortOp, topk as topkOp, type SortOpts, type TopkOpts } from './sort.js';
import type { ValuesIndices } from './reduce.js';
import { nonzero as nonzeroOp } from './indexing.js';

type Dims = number | readonly number[] | null | undefined;

export const cat = (tensors: readonly Tensor[], dim = 0): Tensor => catOp(tensors, dim);
export const stack = (tensors: readonly Tensor[], dim = 0): Tensor => stackOp(tensors, dim);
export const split = (x: Tensor, s: number | readonly number[], dim = 0): Tensor[] => x.split(s, dim);
export const chunk = (x: Tensor, n: number, dim = 0): Tensor[] => x.chunk(n, dim);
/** torch.where(cond, a, b) */
export const where = (cond: Tensor, a: TensorLike, b: TensorLike): Tensor => whereOp(cond, a, b);
export const matmul = (a: Tensor, b: Tensor): Tensor => a.matmul(b);
export const mm = (a: Tensor, b: Tensor): Tensor => a.mm(b);
export const bmm = (a: Tensor, b: Tensor): Tensor => a.bmm(b);
export const dot = (a: Tensor, b: Tensor): Tensor => a.dot(b);
export const mv = (a: Tensor, b: Tensor): Tensor => a.mv(b);
export const clamp = (x: Tensor, min: number | null = null, max: number | null = null): Tensor => clampOp(x, min, max);
export const gather = (x: Tensor, dim: number, index: Tensor): Tensor => x.gather(dim, index);
export const scatter = (x: Tensor, dim: number, index: Tensor, src: TensorLike): Tensor => x.scatter(dim, index, src);
export const scatterAdd = (x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor => x.scatterAdd(dim, index, src);
export const indexSelect = (x: Tensor, dim: number, index: Tensor): Tensor => x.indexSelect(dim, index);
export const maskedFill = (x: Tensor, mask: Tensor, v: number | Tensor): Tensor => x.maskedFill(mask, v);
export const sum = (x: Tensor, dim?: Dims, keepdim = false): Tensor => x.sum(dim, keepdim);
export const mean = (x: Tensor, dim?: Dims, keepdim = false): Tensor => x.mean(dim, keepdim);
export const prod = (x: Tensor, dim?: number | null, keepdim = false): Tensor => x.prod(dim, keepdim);
export const softmax = (x: Tensor, dim: number): Tensor => x.softmax(dim);
export const logSoftmax = (x: Tensor, dim: number): Tensor => x.logSoftmax(dim);
export const logsumexp = (x: Tensor, dim: Dims, keepdim = false): Tensor => x.logsumexp(dim, keepdim);
export const cumsum = (x: Tensor, dim: number): Tensor => x.cumsum(dim);
export const maximum = (a: Tensor, b: Tensor): Tensor => a.maximum(b);
export const minimum = (a: Tensor, b: Tensor): Tensor => a.minimum(b);
export const pow = (a: TensorLike, b: TensorLike): Tensor => binary('pow', a, b);
export const exp = (x: Tensor): Tensor => x.exp();
export const log = (x: Tensor): Tensor => x.log();
export const sqrt = (x: Tensor): Tensor => x.sqrt();
export const abs = (x: Tensor): Tensor => x.abs();
export const sigmoid = (x: Tensor): Tensor => x.sigmoid();
export const tanh = (x: Tensor): Tensor => x.tanh();
export const relu = (x: Tensor): Tensor => x.relu();
export const flatten = (x: Tensor, start = 0, end = -1): Tensor => x.flatten(start, end);
export const permute = (x: Tensor, dims: readonly number[]): Tensor => x.permute(dims);
export const transpose = (x: Tensor, d0: number, d1: number): Tensor => x.transpose(d0, d1);
export const unsqueeze = (x: Tensor, d: number): Tensor => x.unsqueeze(d);
export const squeeze = (x: Tensor, d?: number): Tensor => x.squeeze(d);
export const reshape = (x: Tensor, shape: readonly number[]): Tensor => x.reshape(shape);
export const conv2d = (x: Tensor, w: Tensor, b: Tensor | null = null, opts: Conv2dOpts = {}): Tensor => conv2dOp(x, w, b, opts);
export const nonzero = (x: Tensor): Tensor => nonzeroOp(x);
export const sort = (x: Tensor, dim = -1, opts: SortOpts = {}): ValuesIndices => sortOp(x, dim, opts);
export const argsort = (x: Tensor, dim = -1, opts: SortOpts = {}): Tensor => argsortOp(x, dim, opts);
export const topk = (x: Tensor, k: number, opts: TopkOpts = {}): ValuesIndices => topkOp(x, k, opts);

export interface CloseOpts {
  rtol?: number;
  atol?: number;
  equalNan?: boolean;
}
/** torch.isclose: |a - b| <= atol + rtol * |b|. */
export function isclose(a: Tensor, b: Tensor, opts: CloseOpts = {}): Tensor {
  const { rtol = 1e-5, atol = 1e-8, equalNan = false } = opts;
  const close = a.sub(b).abs().le(b.abs().mul(rtol).add(atol)).logicalOr(a.eq(b));
  return equalNan ? close.logicalOr(a.isnan().logicalAnd(b.isnan())) : close;
}
export function allclose(a: Tensor, b: Tensor, opts: CloseOpts = {}): boolean {
  return isclose(a.double(), b.double(), opts).all().item() !== 0;
}
