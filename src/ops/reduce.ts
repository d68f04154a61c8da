// Reductions over one or several dims (keepdim like torch), arg-reductions, cumsum, var/std,
// softmax/logSoftmax/logsumexp. Forward uses the reduce primitive; backward expands the gradient back.
import type { ReduceOp } from '../backend/backend.js';
import { needsGrad, record, record1 } from '../autograd/node.js';
import { noGrad } from '../autograd/grad_mode.js';
import { ArgumentError, DTypeError, IndexError, fmtShape } from '../errors.js';
import { isFloating } from '../tensor/dtype.js';
import { contiguousStrides, normDim, normDims } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { type Dims, type SumOpts, type VarOpts, ValuesIndices } from '../tensor/types.js';
import { castTo, copyRaw, emptyTensor } from './core.js';
import { where } from './elementwise.js';

export { ValuesIndices, type Dims, type SumOpts, type VarOpts };

function keptShape(shape: readonly number[], dims: readonly number[]): number[] {
  return shape.map((s, i) => (dims.includes(i) ? 1 : s));
}

function dropDims(t: Tensor, dims: readonly number[], keepdim: boolean): Tensor {
  if (keepdim || dims.length === 0) return t;
  const shape = t.shape.filter((_, i) => !dims.includes(i));
  return new Tensor(t.storage, shape, contiguousStrides(shape), t.offset);
}

/** Raw reduce (no autograd); output dtype = input dtype. */
function reduceRaw(op: ReduceOp, x: Tensor, dims: readonly number[], keepdim: boolean): Tensor {
  const out = emptyTensor(keptShape(x.shape, dims), x.dtype, x.storage.backend);
  if (dims.length === 0 && x.ndim > 0) {
    x.storage.backend.copy(x, out);
    return out;
  }
  x.storage.backend.reduce(op, x, dims, out);
  return dropDims(out, dims, keepdim);
}

/** Expand a reduced gradient back over the reduced dims. */
function expandBack(g: Tensor, shape: readonly number[], dims: readonly number[], keepdim: boolean): Tensor {
  let r = g;
  if (!keepdim) for (const d of dims) r = r.unsqueeze(d);
  return r.expand(shape);
}

/** torch refuses to reduce an empty tensor over all dims, or over a zero-size dim, for max-like ops. */
function checkReducible(x: Tensor, op: string, dims: readonly number[], all: boolean): void {
  if (x.numel() !== 0) return;
  if (all)
    throw new IndexError(`${op}(): cannot reduce an empty tensor (shape ${fmtShape(x.shape)}) over all dims: there is no identity; specify a dim with non-zero size`);
  for (const d of dims)
    if (x.shape[d] === 0)
      throw new IndexError(`${op}(): expected reduction dim ${d} to have non-zero size (input shape ${fmtShape(x.shape)}); there is no identity for ${op}`);
}

function reducedCount(shape: readonly number[], dims: readonly number[]): number {
  return dims.reduce((n, d) => n * shape[d]!, 1);
}

/** torch.sum: bool/int inputs sum to int32 (torch: int64). */
export function sum(x: Tensor, dim?: Dims, keepdim = false, opts: SumOpts = {}): Tensor {
  const dims = normDims(dim, x.ndim, 'dim', 'sum');
  const dtype = opts.dtype ?? (isFloating(x.dtype) ? x.dtype : 'int32');
  const src = castTo(x, dtype);
  const out = reduceRaw('sum', src, dims, keepdim);
  const all = dim === undefined || dim === null;
  return record1(all ? 'SumBackward0' : 'SumBackward1', [src], out, (g) => [expandBack(g, src.shape, dims, keepdim)]);
}

/** torch.mean (floating inputs only, like torch). */
export function mean(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  if (!isFloating(x.dtype))
    throw new DTypeError(`mean(): could not infer output dtype. Input dtype must be a floating point dtype, got ${x.dtype} (call .float() first)`);
  const dims = normDims(dim, x.ndim, 'dim', 'mean');
  const n = reducedCount(x.shape, dims);
  const s = reduceRaw('sum', x, dims, keepdim);
  const out = copyRaw(s);
  x.storage.backend.binary('div', s, n, out);
  const all = dim === undefined || dim === null;
  return record1(all ? 'MeanBackward0' : 'MeanBackward1', [x], out, (g) => [expandBack(g, x.shape, dims, keepdim).div(n)]);
}

export function prod(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  const dims = normDims(dim, x.ndim, 'dim', 'prod');
  const dtype = isFloating(x.dtype) ? x.dtype : 'int32';
  const src = castTo(x, dtype);
  const out = reduceRaw('prod', src, dims, keepdim);
  const all = dim === undefined || dim === null;
  return record1(all ? 'ProdBackward0' : 'ProdBackward1', [src], out, (g, [xs, y]) => {
    // NOTE: out/x fails at zeros; there the gradient is the product of the other elements.
    const isZero = xs!.eq(0);
    const zeros = isZero.sum(dims, true);
    const prodNonZero = where(isZero, 1, xs!).prod(dims.length === 1 ? dims[0] : null, true);
    const grad = where(isZero, where(zeros.eq(1), prodNonZero, 0), expandBack(y!, xs!.shape, dims, keepdim).div(where(isZero, 1, xs!)));
    return [expandBack(g, xs!.shape, dims, keepdim).mul(grad)];
  }, [src, out]);
}

/** amax/amin over dims; ties share the gradient evenly (torch's evenly_distribute). */
export function amaxmin(x: Tensor, which: 'max' | 'min', dim?: Dims, keepdim = false, fullName?: string): Tensor {
  const op = fullName ? which : which === 'max' ? 'amax' : 'amin';
  const dims = normDims(dim, x.ndim, 'dim', op);
  checkReducible(x, op, dims, dim === undefined || dim === null || (Array.isArray(dim) && dim.length === 0));
  const out = reduceRaw(which, x, dims, keepdim);
  const name = fullName ?? (which === 'max' ? 'AmaxBackward0' : 'AminBackward0');
  return record1(name, [x], out, (g, [xs, y]) => {
    const yk = keepdim ? y! : expandBack(y!, xs!.shape, dims, false);
    // NOTE: max()/min() share the gradient among all ties, and a NaN result sends it to the NaNs
    // (torch's evenly_distribute_backward); amax/amin use plain equality (a NaN row gets nan).
    const mask = fullName ? where(yk.isnan(), xs!.isnan(), xs!.eq(yk)) : xs!.eq(yk);
    const cnt = mask.sum(dims, true);
    return [expandBack(g, xs!.shape, dims, keepdim).mul(mask).div(cnt)];
  }, [x, out]);
}

export function valuesIndices(values: Tensor, indices: Tensor): ValuesIndices {
  return new ValuesIndices(values, indices);
}

/** torch.argmax / argmin: int32 indices (torch: int64); no dim flattens. */
export function argReduce(x: Tensor, op: 'argmax' | 'argmin', dim?: number | null, keepdim = false): Tensor {
  if (x.dtype === 'bool') throw new DTypeError(`${op}: not implemented for bool tensors (shape ${fmtShape(x.shape)}); convert with .int() first`);
  if (dim === undefined || dim === null) {
    checkReducible(x, op, [], true);
    const flat = x.reshape([-1]);
    const r = argReduce(flat, op, 0, false);
    return keepdim ? r.reshape(x.shape.map(() => 1)) : r;
  }
  const d = normDim(dim, x.ndim, 'dim', op);
  checkReducible(x, op, [d], false);
  // NOTE: indices are int32 (torch: int64): a longer axis is fine only when broadcast (all equal: index 0)
  if (x.ndim > 0 && x.shape[d]! > 2 ** 31 - 1 && x.strides[d] !== 0)
    throw new ArgumentError(`${op}: dim ${d} has ${x.shape[d]} elements (shape ${fmtShape(x.shape)}): its indices do not fit int32`);
  const src = x.ndim === 0 ? x.reshape([1]) : x;
  const out = emptyTensor(keptShape(src.shape, [d]), 'int32', x.storage.backend);
  x.storage.backend.argReduce(op, src, d, out);
  if (x.ndim === 0) return out.reshape([]);
  return dropDims(out, [d], keepdim);
}

/** max(dim) / min(dim): values and indices; gradient flows to the selected index. */
export function maxminDim(x: Tensor, which: 'max' | 'min', dim: number, keepdim = false): ValuesIndices {
  const d = normDim(dim, x.ndim, 'dim', which);
  checkReducible(x, which, [d], false);
  if (x.ndim === 0) {
    const r = maxminDim(x.reshape([1]), which, 0, false);
    return valuesIndices(r.values, r.indices);
  }
  const indices = argReduce(x, which === 'max' ? 'argmax' : 'argmin', d, true);
  const vals = noGrad(() => x.gather(d, indices));
  const values = keepdim ? vals : vals.squeeze(d);
  const idxOut = keepdim ? indices : indices.squeeze(d);
  record1(which === 'max' ? 'MaxBackward0' : 'MinBackward0', [x], values, (g) => {
    const gk = keepdim ? g : g.unsqueeze(d);
    return [x.zerosLike().scatterAdd(d, indices, gk)];
  }, [], [indices]);
  return valuesIndices(values, idxOut);
}

export function variance(x: Tensor, dim: Dims, opts: VarOpts, std: boolean): Tensor {
  if (!isFloating(x.dtype)) throw new DTypeError(`${std ? 'std' : 'var'}: expected a floating point tensor, got ${x.dtype}`);
  const dims = normDims(dim, x.ndim, 'dim', std ? 'std' : 'var');
  const keepdim = opts.keepdim ?? false;
  const corr = opts.correction ?? (opts.unbiased === false ? 0 : 1);
  const n = reducedCount(x.shape, dims);
  const v = noGrad(() => {
    const centered = x.sub(x.mean(dims, true));
    return centered.mul(centered).sum(dims, keepdim).div(Math.max(n - corr, 0));
  });
  const out = std ? noGrad(() => v.sqrt()) : v;
  return record1(std ? 'StdBackward0' : 'VarBackward0', [x], out, (g, [xs, y]) => {
    const c = xs!.sub(xs!.mean(dims, true));
    const gk = expandBack(g, xs!.shape, dims, keepdim);
    if (!std) return [gk.mul(c).mul(2 / (n - corr))];
    // NOTE: torch masks the 0/0 where the std is 0 (constant input): the gradient there is 0.
    const yk = expandBack(y!, xs!.shape, dims, keepdim);
    return [where(yk.eq(0), 0, gk.mul(c).div(yk.mul(n - corr)))];
  }, [x, out]);
}

/** torch.cumsum: bool/int inputs accumulate in int32 (torch: int64) unless `dtype` is given. */
export function cumsum(x: Tensor, dim: number, opts: SumOpts = {}): Tensor {
  const d = normDim(dim, x.ndim, 'dim', 'cumsum');
  const dtype = opts.dtype ?? (isFloating(x.dtype) ? x.dtype : 'int32');
  const src = castTo(x, dtype);
  const out = emptyTensor(src.shape, dtype, x.storage.backend);
  if (src.ndim === 0) x.storage.backend.copy(src, out);
  else x.storage.backend.cumsum(src, d, out);
  // NOTE: reverse cumsum without a flip: sum_{j>=i} g_j = total - cumsum(g)_i + g_i.
  return record1('CumsumBackward0', [src], out, (g) => [g.sum(d, true).sub(g.cumsum(d)).add(g)]);
}

function softmaxRaw(x: Tensor, d: number, log: boolean): Tensor {
  return noGrad(() => {
    const shifted = x.sub(reduceRaw('max', x, normDims(d, x.ndim), true));
    const lse = shifted.exp().sum(d, true);
    return log ? shifted.sub(lse.log()) : shifted.exp().div(lse);
  });
}

function floatInput(x: Tensor, op: string): Tensor {
  if (!isFloating(x.dtype)) throw new DTypeError(`${op}: expected a floating point tensor, got ${x.dtype} (call .float() first)`);
  return x;
}

export function softmax(x: Tensor, dim: number): Tensor {
  const d = normDim(dim, x.ndim, 'dim', 'softmax');
  const out = softmaxRaw(floatInput(x, 'softmax'), d, false);
  return record1('SoftmaxBackward0', [x], out, (g, [y]) => [y!.mul(g.sub(g.mul(y!).sum(d, true)))], [out]);
}

export function logSoftmax(x: Tensor, dim: number): Tensor {
  const d = normDim(dim, x.ndim, 'dim', 'logSoftmax');
  const out = softmaxRaw(floatInput(x, 'logSoftmax'), d, true);
  return record1('LogSoftmaxBackward0', [x], out, (g, [y]) => [g.sub(y!.exp().mul(g.sum(d, true)))], [out]);
}

/** torch.logsumexp (integer inputs give float32, as torch); an empty reduction gives -inf. */
export function logsumexp(input: Tensor, dim: Dims, keepdim = false): Tensor {
  const dims = normDims(dim, input.ndim, 'dim', 'logsumexp');
  const x = isFloating(input.dtype) ? input : castTo(input, 'float32');
  const out = noGrad(() => {
    const m = reduceRaw('max', x, dims, true);
    const mSafe = where(m.isinf(), 0, m);
    const r = x.sub(mSafe).exp().sum(dims, true).log().add(mSafe);
    return keepdim ? r : r.squeeze(dims);
  });
  return record1('LogsumexpBackward0', [x], out, (g, [xs, y]) => {
    const yk = keepdim ? y! : expandBack(y!, xs!.shape, dims, false);
    return [expandBack(g, xs!.shape, dims, keepdim).mul(xs!.sub(yk).exp())];
  }, [x, out]);
}

/** all/any as bool reductions. */
export function allAny(x: Tensor, which: 'all' | 'any', dim?: Dims, keepdim = false): Tensor {
  const dims = normDims(dim, x.ndim, 'dim', which);
  // NOTE: all(x) = !any(x == 0), so an empty reduction starts from max's identity (false) either way;
  // uint8 in gives uint8 out, as torch.
  const b = which === 'all' ? x.eq(0) : x.dtype === 'bool' ? x : x.ne(0);
  let r = reduceRaw('max', b, dims, keepdim);
  if (which === 'all') r = r.logicalNot();
  return x.dtype === 'uint8' ? copyRaw(r, 'uint8') : r;
}

/** torch.norm(x, p, dim, keepdim): p-norm over dims (whole tensor by default); NormBackward1. */
export function norm(x: Tensor, p = 2, dim?: Dims, keepdim = false): Tensor {
  floatInput(x, 'norm');
  const dims = normDims(dim, x.ndim, 'dim', 'norm');
  const out = noGrad(() => {
    const a = x.abs();
    if (p === 0) return a.ne(0).sum(dims, keepdim).to(x.dtype);
    if (p === 1) return a.sum(dims, keepdim);
    if (p === Infinity) return a.amax(dims, keepdim);
    if (p === -Infinity) return a.amin(dims, keepdim);
    return a.pow(p).sum(dims, keepdim).pow(1 / p);
  });
  return record1('NormBackward1', [x], out, (g, [xs, y]) => {
    const gk = expandBack(g, xs!.shape, dims, keepdim);
    const yk = expandBack(y!, xs!.shape, dims, keepdim);
    if (p === 0) return [xs!.zerosLike()];
    if (p === 1) return [gk.mul(xs!.sign())];
    if (!Number.isFinite(p)) {
      // ties share the gradient evenly, as amax/amin; a NaN is the max (torch's norm_backward)
      const a = xs!.abs();
      const mask = a.eq(yk).logicalOr(a.isnan());
      return [xs!.sign().mul(gk.div(mask.sum(dims, true)).mul(mask))];
    }
    // NOTE: torch masks the 0/0 at a zero norm: the gradient there is 0, not NaN.
    if (p === 2) return [where(yk.eq(0), 0, gk.mul(xs!).div(yk))];
    // NOTE: for p < 1, |x|^(p-1) is infinite at x = 0; torch masks those elements to 0.
    if (p < 1) return [where(xs!.eq(0), 0, gk.mul(xs!.sign()).mul(xs!.abs().pow(p - 1)).mul(yk.pow(1 - p)))];
    return [where(yk.eq(0), 0, gk.mul(xs!.sign()).mul(xs!.abs().pow(p - 1)).div(yk.pow(p - 1)))];
  }, [x, out]);
}

export { needsGrad, record };
