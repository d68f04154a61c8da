// Indexing: torch's `t[...]` reading and writing, gather/scatter, indexSelect, maskedFill.
//
// Note [Index syntax]
// `t.get(...items)` / `t.set(items, value)` take one item per indexed dim, as in Python:
//   number → select (drops the dim)        '1:3', ':', '::2', '-1:' → slice (keeps it); new Slice(1, 3)
//   null or 'None' → new axis              '...' → ellipsis (skips the dims it stands for)
//   int Tensor / number[] → integer-array indexing; bool Tensor / boolean[] → mask
//   0-d int Tensor → like a number (a view);  0-d bool Tensor → new axis of size 1 (true) or 0 (false)
// `set` takes the items as one array, t.set([0, ':'], 1) (a lone item may be bare: t.set(mask, 0));
// so a number[] index goes inside it: t.set([[0, 2]], v) is t[[0, 2]] = v, while t.set([0, 2], v) is t[0, 2] = v.
// A single string may hold the whole Python expression: t.get('1, 1:3'), x.get(':, None'), t.set('0, :', 1).
// Several array indices broadcast together; numpy's placement rule applies: adjacent array dims stay
// in place, separated ones (`x[I, :, J]`) move to the front. Out-of-range indices throw an IndexError.
// Basic indexing (numbers, slices, null, ellipsis) returns a view (x[...] alone: an alias, as torch);
// any array index returns a copy whose element positions (in x's row-major order) are computed once as
// an int32 tensor and read with gather (one primitive); the backward scatter-adds into zeros.
// grad_fn names follow torch: IndexBackward0 for reads, CopySlices (write through a view) or
// IndexPutBackward0 (array indices only) for writes.
import { record1 } from '../autograd/node.js';
import { noGrad } from '../autograd/grad_mode.js';
import { ArgumentError, DTypeError, IndexError, ShapeError, fmtShape } from '../errors.js';
import { type DType, isFloating } from '../tensor/dtype.js';
import { broadcastShapes, contiguousStrides, normDim, sameShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { type IndexItem, Slice } from '../tensor/types.js';
import { arange } from '../tensor/creation.js';
import type { Backend } from '../backend/backend.js';
import { type TensorLike, castTo, emptyTensor, makeView, sameDevice, scalarTensor, sumToShape } from './core.js';
import { where } from './elementwise.js';
import { inplace } from './inplace.js';
import { select, slice, sliceView, unsqueeze } from './movement.js';

export { Slice, type IndexItem };

function parseItem(s: string): IndexItem {
  const t = s.trim();
  if (t === '...' || t === '…') return '...';
  if (t === 'None') return null;
  if (t.includes(':')) {
    const parts = t.split(':').map((p) => p.trim());
    if (parts.length > 3) throw new IndexError(`invalid slice '${s}'`);
    const num = (p: string | undefined): number | null => {
      if (p === undefined || p === '') return null;
      const v = Number(p);
      // NOTE: a number with a fraction is a TypeError in Python ("slice indices must be integers");
      // anything else is not an index at all
      if (Number.isFinite(v) && !Number.isInteger(v)) throw new ArgumentError(`slice indices must be integers or None, got '${p}' in '${s}'`);
      if (!Number.isSafeInteger(v)) throw new IndexError(`invalid slice bound '${p}' in '${s}'`);
      return v;
    };
    return new Slice(num(parts[0]), num(parts[1]), num(parts[2]));
  }
  const v = Number(t);
  if (t === '' || !Number.isSafeInteger(v)) throw new IndexError(`invalid index '${s}': expected an integer, a slice like '1:3', 'None' or '...'`);
  return v;
}

/** Expand string items ('1, 1:3' → [1, Slice(1,3)]). */
export function normalizeIndex(items: readonly IndexItem[]): IndexItem[] {
  const out: IndexItem[] = [];
  for (const it of items) {
    if (typeof it === 'string') {
      if (it.trim() === '...') out.push('...');
      else for (const part of it.split(',')) out.push(parseItem(part));
    } else out.push(it);
  }
  return out;
}

function toIndexTensor(it: Tensor | readonly number[] | readonly boolean[], like: Tensor): Tensor {
  if (it instanceof Tensor) return it;
  const isBool = it.length > 0 && typeof it[0] === 'boolean';
  if (!isBool && !it.every((v) => Number.isInteger(v)))
    throw new IndexError(`tensors used as indices must be long, int, byte or bool tensors; got the non-integer index list [${it.join(', ')}]`);
  const data = isBool ? Uint8Array.from(it as readonly boolean[], (b) => (b ? 1 : 0)) : Int32Array.from(it as readonly number[]);
  const t = new Tensor(like.storage.backend.fromArray(data), [it.length], [1], 0);
  if (isBool) t._setDtype('bool');
  return t;
}

interface Plan {
  view: Tensor; // x after basic indexing, with array-indexed dims kept in place
  arrays: { dim: number; index: Tensor; src?: number }[]; // dims of `view` indexed by int tensors (src: that dim in x, for errors)
}

/** Apply basic indexing; collect array indices (bool masks become int indices per dim). */
function plan(x: Tensor, rawItems: readonly IndexItem[]): Plan {
  const items = normalizeIndex(rawItems);
  const consumes = (it: IndexItem): number => (it === null || it === '...' ? 0 : it instanceof Tensor && it.dtype === 'bool' ? it.ndim : 1);
  let used = 0;
  for (const it of items) used += consumes(it);
  if (items.filter((it) => it === '...').length > 1) throw new IndexError('an index can only have a single ellipsis (...)');
  if (used > x.ndim) throw new IndexError(`too many indices for tensor of dimension ${x.ndim} (got ${used}, shape ${fmtShape(x.shape)})`);
  let v = x;
  let d = 0; // current dim in v
  let src = 0; // the dim of x the current item indexes (errors name it, not the dim of the partial view)
  const arrays: Plan['arrays'] = [];
  for (const it of items) {
    if (it === '...') {
      // NOTE: the ellipsis skips dims; it does not slice them (torch: x[0, ...] is a SelectBackward0 view).
      d += x.ndim - used;
      src += x.ndim - used;
    } else if (it === null) {
      v = unsqueeze(v, d);
      d++;
    } else if (typeof it === 'number') {
      // NOTE: torch raises an IndexError for x[1.5] (only integers, slices, ... are valid indices)
      if (!Number.isSafeInteger(it)) throw new IndexError(`index ${it} is not an integer: only integers, slices (':', '1:3'), None, '...' and integer or bool tensors are valid indices`);
      const n = v.shape[d]!;
      if (it < -n || it >= n) throw new IndexError(`index ${it} is out of bounds for dimension ${src} with size ${n}`);
      v = select(v, d, it);
      src++;
    } else if (it instanceof Slice) {
      v = slice(v, d, it.start, it.stop, it.step ?? 1);
      d++;
      src++;
    } else if (typeof it === 'string') {
      throw new IndexError(`invalid index item '${it}'`);
    } else {
      const t = toIndexTensor(it, x);
      if (t.dtype === 'bool' || t.dtype === 'uint8') {
        if (t.ndim === 0) {
          // torch/numpy: a 0-d bool adds a dim of size 1 (true) or 0 (false), indexed as an array (a copy)
          v = unsqueeze(v, d);
          const keep = t.item() !== 0;
          arrays.push({ dim: d, index: new Tensor(x.storage.backend.fromArray(new Int32Array(keep ? 1 : 0)), [keep ? 1 : 0], [1], 0), src });
          d++;
          continue;
        }
        const maskShape = v.shape.slice(d, d + t.ndim);
        if (maskShape.length !== t.ndim || maskShape.some((s, i) => s !== t.shape[i]))
          throw new IndexError(`the shape of the mask ${fmtShape(t.shape)} does not match the shape of the indexed tensor ${fmtShape(maskShape)} at dim ${src}`);
        const nz = nonzero(t);
        for (let k = 0; k < t.ndim; k++) arrays.push({ dim: d + k, index: nz.select(1, k), src: src + k });
        d += t.ndim;
        src += t.ndim;
      } else if (isFloating(t.dtype)) {
        throw new IndexError(`tensors used as indices must be long, int, byte or bool tensors, got ${t.dtype}`);
      } else if (t.ndim === 0) {
        // NOTE: torch selects with a 0-d int tensor like a plain int (a view; no numpy dim transposition).
        const i = t.item(), n = v.shape[d]!;
        if (i < -n || i >= n) throw new IndexError(`index ${i} is out of bounds for dimension ${src} with size ${n}`);
        v = select(v, d, i);
        src++;
      } else {
        arrays.push({ dim: d, index: t, src });
        d++;
        src++;
      }
    }
  }
  return { view: v, arrays };
}

/** torch.nonzero: [n, ndim] int32 coordinates of the nonzero elements (reads the data). */
export function nonzero(t: Tensor): Tensor {
  const vals = t.contiguous().dataSync();
  const st = contiguousStrides(t.shape);
  const coords: number[] = [];
  let n = 0;
  for (let i = 0; i < vals.length; i++)
    if (vals[i] !== 0) {
      n++;
      for (let k = 0; k < t.ndim; k++) coords.push(Math.floor(i / st[k]!) % t.shape[k]!);
    }
  return new Tensor(t.storage.backend.fromArray(Int32Array.from(coords)), [n, t.ndim], [t.ndim, 1], 0);
}

/**
 * Element offsets (into `view`'s storage) of the advanced-indexing result, and its shape.
 * Follows numpy: adjacent array dims stay in place, separated ones move to the front.
 */
function offsets(p: Plan): { offs: Tensor; shape: number[] } {
  const v = p.view;
  const dims = p.arrays.map((a) => a.dim);
  let ishape: number[] = [];
  for (const a of p.arrays) ishape = broadcastShapes(ishape, a.index.shape, 'indexing: index tensors');
  const adjacent = dims.length > 0 && dims.every((dd, i) => i === 0 || dd === dims[i - 1]! + 1);
  const rest = v.shape.map((_, i) => i).filter((i) => !dims.includes(i));
  const front = adjacent ? rest.filter((i) => i < dims[0]!) : [];
  const back = adjacent ? rest.filter((i) => i > dims[0]!) : rest;
  const shape = [...front.map((i) => v.shape[i]!), ...ishape, ...back.map((i) => v.shape[i]!)];
  const nd = shape.length;
  const ipos = front.length; // where the index dims start in the result
  const offs = noGrad(() => {
    let offs = emptyTensor(shape.map(() => 1), 'int32', v.storage.backend);
    offs.fill_(v.offset);
    const place = (t: Tensor, at: number): Tensor => t.reshape([...Array(at).fill(1), ...t.shape, ...Array(nd - at - t.ndim).fill(1)]);
    for (const a of p.arrays) {
      const size = v.shape[a.dim]!;
      let idx = a.index.int();
      const bad = idx.ge(size).logicalOr(idx.lt(-size));
      if (bad.any().item()) {
        const badVal = idx.get(bad).reshape([-1]).get(0).item();
        throw new IndexError(`index ${badVal} is out of bounds for dimension ${a.src ?? a.dim} with size ${size}`);
      }
      idx = where(idx.lt(0), idx.add(size), idx);
      const bshape = [...Array(ishape.length - idx.ndim).fill(1), ...idx.shape];
      offs = offs.add(place(idx.reshape(bshape), ipos).mul(v.strides[a.dim]!));
    }
    const others = [...front, ...back];
    others.forEach((dim, k) => {
      const at = k < front.length ? k : ipos + ishape.length + (k - front.length);
      const ar = arange(v.shape[dim]!, undefined, 1, { device: v.device }).mul(v.strides[dim]!);
      offs = offs.add(place(ar, at));
    });
    return offs.expand(shape).contiguous();
  });
  return { offs, shape };
}

/** x's geometry with contiguous strides: planning on it gives offsets in x's row-major logical layout. */
function logical(x: Tensor): Tensor {
  return new Tensor(x.storage, x.shape.slice(), contiguousStrides(x.shape), 0);
}

function zerosOf(shape: readonly number[], dtype: DType, be: Backend): Tensor {
  const t = emptyTensor(shape, dtype, be);
  be.fill(t, 0);
  return t;
}

/** t[items] */
export function getItem(x: Tensor, items: readonly IndexItem[]): Tensor {
  const lp = noGrad(() => plan(logical(x), items));
  if (lp.arrays.length === 0) {
    const v = plan(x, items).view;
    if (v !== x) return v;
    // torch: x[...] (nothing indexed) is a new view, AliasBackward0
    return record1('AliasBackward0', [x], makeView(x, x.shape, x.strides, x.offset), (g) => [g]);
  }
  // NOTE: offsets are positions in x's logical row-major order (x's strides are irrelevant), so the
  // backward is a plain scatter-add into zeros of x's shape, also for expanded or permuted x.
  const { offs, shape } = offsets(lp);
  const flat = offs.reshape([-1]);
  const be = x.storage.backend;
  const out = emptyTensor(shape, x.dtype, be);
  noGrad(() => be.gather(x.reshape([-1]), 0, flat, out.reshape([-1])));
  return record1('IndexBackward0', [x], out, (g) => [zerosOf([x.numel()], g.dtype, g.storage.backend).scatterAdd(0, flat, g.reshape([-1])).reshape(x.shape)], [], [flat]);
}

/** t[items] = value (in place; returns t). */
export function setItem(x: Tensor, items: readonly IndexItem[], value: TensorLike): Tensor {
  const graph = value instanceof Tensor && value.requiresGrad;
  const p = x.requiresGrad || graph ? null : noGrad(() => plan(x, items));
  if (p && p.arrays.length === 0) {
    const v = p.view;
    noGrad(() => {
      const src = value instanceof Tensor ? valueFor(value.to(x.dtype), v.shape) : null;
      if (src) v.storage.backend.copy(src, v);
      else v.fill_(value as number);
    });
    x.storage.version++;
    return x;
  }
  const geo = logical(x);
  const lp = noGrad(() => plan(geo, items));
  const { offs, shape } = offsets(lp);
  const idx = offs.reshape([-1]); // positions in x's logical (row-major) layout
  const be = x.storage.backend;
  // torch's grad_fn: index_put_ on x itself, or on a view of it (CopySlices)
  const name = lp.view === geo ? 'IndexPutBackward0' : 'CopySlices';
  return inplace(x, (xx) => {
    const n = x.numel();
    const val = value instanceof Tensor ? stripLeadingOnes(value.to(x.dtype)) : new Tensor(be.fromArray(Float64Array.of(value as number)), [], [], 0).to(x.dtype);
    let mask: Tensor | null = null;
    const out = noGrad(() => {
      const vb = valueFor(val, shape).reshape([-1]);
      const cnt = zerosOf([n], 'int32', be).scatterAdd(0, idx, idx.onesLike());
      const summed = zerosOf([n], x.dtype === 'bool' ? 'int32' : x.dtype, be).scatterAdd(0, idx, x.dtype === 'bool' ? vb.int() : vb);
      // NOTE: duplicate indices average their values (torch leaves the winner unspecified).
      const vals = isFloating(x.dtype) ? summed.div(cnt.clamp(1)) : summed.floorDivide(cnt.clamp(1));
      mask = cnt.gt(0).reshape(x.shape);
      return where(mask, vals.reshape(x.shape).to(x.dtype), xx);
    });
    return record1(name, [xx, val], out, (g) => [
      xx.requiresGrad ? where(mask!, 0, g) : null,
      val.requiresGrad ? sumToShape(g.reshape([-1]).gather(0, idx).reshape(shape), val.shape) : null,
    ], [], [mask, idx]);
  }, 'setitem');
}

/** torch's setitem drops a value's leading size-1 dims before broadcasting: `out[i] = y` with y of shape [1, n]. */
function stripLeadingOnes(v: Tensor): Tensor {
  let k = 0;
  while (k < v.ndim && v.shape[k] === 1) k++;
  return k === 0 ? v : v.reshape(v.shape.slice(k));
}

/** The setitem value broadcast to the indexed shape; the error names both shapes. */
function valueFor(value: Tensor, shape: readonly number[]): Tensor {
  const v = stripLeadingOnes(value);
  const lead = shape.length - v.ndim;
  if (lead < 0 || v.shape.some((s, i) => s !== 1 && s !== shape[lead + i]))
    throw new ShapeError(`setitem: shape mismatch: value tensor of shape ${fmtShape(value.shape)} cannot be broadcast to indexing result of shape ${fmtShape(shape)}`);
  return v.expand(shape);
}

function checkIndex(x: Tensor, dim: number, index: Tensor, op: string): number {
  if (index.dtype !== 'int32' && index.dtype !== 'uint8')
    throw new DTypeError(`${op}(): Expected dtype int32 (torch: int64) for index, got ${index.dtype}`);
  const d = normDim(dim, x.ndim, 'dim', op);
  if (index.ndim !== x.ndim && !(x.ndim === 0 && index.ndim <= 1))
    throw new ShapeError(`${op}(): Index tensor must have the same number of dimensions as input tensor (index ${fmtShape(index.shape)}, input ${fmtShape(x.shape)})`);
  return d;
}

/** torch.gather(x, dim, index). */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = checkIndex(x, dim, index, 'gather');
  index.shape.forEach((s, k) => {
    if (k !== d && s > x.shape[k]!)
      throw new ShapeError(`gather(): Size does not match at dimension ${k} expected index ${fmtShape(index.shape)} to be smaller than self ${fmtShape(x.shape)} apart from dimension ${d}`);
  });
  sameDevice('gather', x, index);
  const out = emptyTensor(index.shape, x.dtype, x.storage.backend);
  x.storage.backend.gather(x, d, index, out);
  return record1('GatherBackward0', [x], out, (g) => [x.zerosLike().scatterAdd(d, index, g)], [], [index]);
}

/** torch.scatter_add (out of place). */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const d = checkIndex(x, dim, index, 'scatter_add');
  sameDevice('scatter_add', x, index, src);
  const out = x.clone().detach();
  out.storage.backend.scatterAdd(out, d, index, src.to(x.dtype));
  return record1('ScatterAddBackward0', [x, src], out, (g) => [g, src.requiresGrad ? g.gather(d, index) : null], [], [index]);
}

/** torch.scatter with a tensor or scalar source (duplicate indices: last write unspecified, as torch). */
export function scatter(x: Tensor, dim: number, index: Tensor, src: TensorLike): Tensor {
  const d = checkIndex(x, dim, index, 'scatter');
  const srcT = src instanceof Tensor ? castTo(src, x.dtype) : null;
  const out = noGrad(() => {
    let part: Tensor;
    if (srcT) {
      part = srcT;
      index.shape.forEach((n, k) => (part = part.narrow(k, 0, n)));
    } else part = index.zerosLike().to(x.dtype).add(src as number);
    const cnt = x.zerosLike().int().scatterAdd(d, index, index.onesLike().int());
    const placed = x.zerosLike().scatterAdd(d, index, part);
    // NOTE: duplicate indices average their values (torch leaves the winner unspecified).
    const vals = isFloating(x.dtype) ? placed.div(cnt.clamp(1)) : placed.floorDivide(cnt.clamp(1)).to(x.dtype);
    return where(cnt.gt(0), vals, x);
  });
  const gx = (g: Tensor): Tensor | null => (x.requiresGrad ? g.scatter(d, index, 0) : null);
  if (!srcT) return record1('ScatterBackward1', [x], out, (g) => [gx(g)], [], [index]);
  return record1('ScatterBackward0', [x, srcT], out, (g) => {
    if (!srcT.requiresGrad) return [gx(g), null];
    let gs = g.gather(d, index);
    if (!sameShape(gs.shape, srcT.shape)) {
      // src larger than index: its other elements get zero (torch 1.13 fails here)
      const full = zerosOf(srcT.shape, gs.dtype, gs.storage.backend);
      noGrad(() => {
        let v = full;
        index.shape.forEach((n, k) => (v = v.narrow(k, 0, n)));
        v.storage.backend.copy(gs, v);
      });
      gs = full;
    }
    return [gx(g), gs];
  }, [], [index]);
}

/** torch.index_select(x, dim, index) for a 1-D index. */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  if (index.ndim > 1) throw new ShapeError(`index_select(): Index is supposed to be a vector, got shape ${fmtShape(index.shape)}`);
  const d = normDim(dim, x.ndim, 'dim', 'index_select');
  const shape = x.shape.slice();
  shape[d] = index.numel();
  const idx = index.reshape(shape.map((_, k) => (k === d ? index.numel() : 1))).expand(shape);
  const out = noGrad(() => gather(x, d, idx));
  return record1('IndexSelectBackward0', [x], out, (g) => [x.zerosLike().scatterAdd(d, idx, g)], [], [idx]);
}

/** torch.masked_fill (out of place): value where mask is true; the value (number or 0-d tensor) is cast to x's dtype. */
export function maskedFill(x: Tensor, mask: Tensor, value: number | Tensor): Tensor {
  if (mask.dtype !== 'bool') throw new DTypeError(`masked_fill only supports boolean masks, but got mask with dtype ${mask.dtype}`);
  if (value instanceof Tensor && value.ndim !== 0)
    throw new ShapeError(`masked_fill only supports a 0-dimensional value tensor, but got a value of shape ${fmtShape(value.shape)}`);
  sameDevice('masked_fill', x, mask, value instanceof Tensor ? value : null);
  const vT = value instanceof Tensor ? castTo(value, x.dtype) : null;
  const out = noGrad(() => where(mask, vT ?? scalarTensor(value as number, x.dtype, x.storage.backend), x));
  // torch names the node after the overload: a scalar value is MaskedFillBackward0, a tensor value MaskedFillBackward1
  return record1(vT ? 'MaskedFillBackward1' : 'MaskedFillBackward0', [x, vT], out, (g) => [
    x.requiresGrad ? sumToShape(where(mask, 0, g), x.shape) : null,
    vT?.requiresGrad ? where(mask, g, 0).sum() : null,
  ], [], [mask]);
}

export { sliceView };
