// Indexing: torch's `t[...]` reading and writing, gather/scatter, indexSelect, maskedFill.
//
// Note [Index syntax]
// `t.get(...items)` / `t.set(items, value)` take one item per indexed dim, as in Python:
//   number → select (drops the dim)        '1:3', ':', '::2', '-1:' → slice (keeps it)
//   null or 'None' → new axis              '...' → ellipsis
//   int Tensor / number[] → integer-array indexing; bool Tensor / boolean[] → mask
// A single string may hold the whole Python expression: t.get('1, 1:3'), x.get(':, None').
// Basic indexing (numbers, slices, null, ellipsis) returns a view; any array index returns a copy
// whose element offsets are computed once as an int32 tensor and read with gather (one primitive).
import { record1 } from '../autograd/node.js';
import { noGrad } from '../autograd/grad_mode.js';
import { DTypeError, IndexError, ShapeError, fmtShape } from '../errors.js';
import { isFloating } from '../tensor/dtype.js';
import { broadcastShapes, contiguousStrides, normDim } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { arange } from '../tensor/creation.js';
import { type TensorLike, emptyTensor } from './core.js';
import { inplace, where } from './elementwise.js';
import { select, slice, sliceView, unsqueeze } from './movement.js';

/** A Python slice `start:stop:step`. */
export class Slice {
  constructor(readonly start: number | null = null, readonly stop: number | null = null, readonly step: number | null = null) {}
  toString(): string {
    return `${this.start ?? ''}:${this.stop ?? ''}${this.step !== null ? `:${this.step}` : ''}`;
  }
}

export type IndexItem = number | null | string | Slice | Tensor | readonly number[] | readonly boolean[];

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
      if (!Number.isInteger(v)) throw new IndexError(`invalid slice bound '${p}' in '${s}'`);
      return v;
    };
    return new Slice(num(parts[0]), num(parts[1]), num(parts[2]));
  }
  const v = Number(t);
  if (t === '' || !Number.isInteger(v)) throw new IndexError(`invalid index '${s}': expected an integer, a slice like '1:3', 'None' or '...'`);
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
  const data = isBool ? Uint8Array.from(it as readonly boolean[], (b) => (b ? 1 : 0)) : Int32Array.from(it as readonly number[]);
  const t = new Tensor(like.storage.backend.fromArray(data), [it.length], [1], 0);
  if (isBool) t._setDtype('bool');
  return t;
}

interface Plan {
  view: Tensor; // x after basic indexing, with array-indexed dims kept in place
  arrays: { dim: number; index: Tensor }[]; // dims of `view` indexed by int tensors
}

/** Apply basic indexing; collect array indices (bool masks become int indices per dim). */
function plan(x: Tensor, rawItems: readonly IndexItem[]): Plan {
  const items = normalizeIndex(rawItems);
  const consumes = (it: IndexItem): number => (it === null || it === '...' ? 0 : it instanceof Tensor && it.dtype === 'bool' ? it.ndim : 1);
  let used = 0;
  for (const it of items) used += consumes(it);
  if (items.filter((it) => it === '...').length > 1) throw new IndexError('an index can only have a single ellipsis (...)');
  if (used > x.ndim) throw new IndexError(`too many indices for tensor of dimension ${x.ndim} (got ${used}, shape ${fmtShape(x.shape)})`);
  const expanded: IndexItem[] = [];
  for (const it of items) {
    if (it === '...') for (let k = 0; k < x.ndim - used; k++) expanded.push(new Slice());
    else expanded.push(it);
  }
  let v = x;
  let d = 0; // current dim in v
  const arrays: { dim: number; index: Tensor }[] = [];
  for (const it of expanded) {
    if (it === null) {
      v = unsqueeze(v, d);
      d++;
    } else if (typeof it === 'number') {
      if (!Number.isInteger(it)) throw new IndexError(`index ${it} is not an integer`);
      v = select(v, d, it);
    } else if (it instanceof Slice) {
      v = slice(v, d, it.start, it.stop, it.step ?? 1);
      d++;
    } else if (typeof it === 'string') {
      throw new IndexError(`invalid index item '${it}'`);
    } else {
      const t = toIndexTensor(it, x);
      if (t.dtype === 'bool' || t.dtype === 'uint8') {
        if (t.ndim === 0) throw new IndexError('0-d boolean indices are not supported');
        const maskShape = v.shape.slice(d, d + t.ndim);
        if (maskShape.length !== t.ndim || maskShape.some((s, i) => s !== t.shape[i]))
          throw new IndexError(`the shape of the mask ${fmtShape(t.shape)} does not match the shape of the indexed tensor ${fmtShape(maskShape)} at dim ${d}`);
        const nz = nonzero(t);
        for (let k = 0; k < t.ndim; k++) arrays.push({ dim: d + k, index: nz.select(1, k) });
        d += t.ndim;
      } else if (isFloating(t.dtype)) {
        throw new IndexError(`tensors used as indices must be long, int, byte or bool tensors, got ${t.dtype}`);
      } else {
        arrays.push({ dim: d, index: t });
        d++;
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
  for (let i = 0; i < vals.length; i++)
    if (vals[i] !== 0) for (let k = 0; k < t.ndim; k++) coords.push(Math.floor(i / st[k]!) % t.shape[k]!);
  const n = coords.length / Math.max(t.ndim, 1);
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
        throw new IndexError(`index ${badVal} is out of bounds for dimension ${a.dim} with size ${size}`);
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

/** t[items] */
export function getItem(x: Tensor, items: readonly IndexItem[]): Tensor {
  const p = plan(x, items);
  if (p.arrays.length === 0) return p.view;
  const { offs, shape } = offsets(p);
  const storageView = new Tensor(x.storage, [x.storage.size], [1], 0);
  const out = emptyTensor(shape, x.dtype, x.storage.backend);
  x.storage.backend.gather(storageView, 0, offs.reshape([-1]), out.reshape([-1]));
  // NOTE: offsets address x's storage, so the backward scatters into a zero copy of that storage.
  return record1('IndexBackward0', [x], out, (g) => {
    const gs = emptyTensor([x.storage.size], g.dtype, g.storage.backend).scatterAdd(0, offs.reshape([-1]), g.reshape([-1]));
    return [new Tensor(gs.storage, x.shape.slice(), x.strides.slice(), x.offset).clone()];
  });
}

/** t[items] = value (in place; returns t). */
export function setItem(x: Tensor, items: readonly IndexItem[], value: TensorLike): Tensor {
  const p = noGrad(() => plan(x, items));
  const graph = value instanceof Tensor && value.requiresGrad;
  if (p.arrays.length === 0 && !x.requiresGrad && !graph) {
    const v = p.view;
    noGrad(() => {
      const src = value instanceof Tensor ? value.to(x.dtype).expand(v.shape) : null;
      if (src) v.storage.backend.copy(src, v);
      else v.fill_(value as number);
    });
    x.storage.version++;
    return x;
  }
  const { offs, shape } = offsets(p);
  // positions in x's logical (contiguous) layout
  const flatOffs = noGrad(() => storageToLogical(x, offs));
  return inplace(x, (xx) => {
    const n = x.numel();
    const val = value instanceof Tensor ? value.to(x.dtype) : new Tensor(x.storage.backend.fromArray(Float64Array.of(value as number)), [], [], 0).to(x.dtype);
    if (val.ndim > shape.length) throw new ShapeError(`setitem: value of shape ${fmtShape(val.shape)} cannot be broadcast to the indexed shape ${fmtShape(shape)}`);
    const vb = val.expand(shape).reshape([-1]);
    const idx = flatOffs.reshape([-1]);
    const zeros = emptyTensor([n], x.dtype === 'bool' ? 'int32' : x.dtype, x.storage.backend);
    const cnt = noGrad(() => emptyTensor([n], 'int32', x.storage.backend).scatterAdd(0, idx, idx.onesLike()));
    const summed = zeros.scatterAdd(0, idx, x.dtype === 'bool' ? vb.int() : vb);
    // NOTE: duplicate indices average their values (torch leaves the winner unspecified).
    const vals = isFloating(x.dtype) ? summed.div(cnt.clamp(1)) : summed.floorDivide(cnt.clamp(1));
    return where(cnt.gt(0).reshape(x.shape), vals.reshape(x.shape).to(x.dtype), xx);
  }, 'setitem');
}

/** Map offsets into x's storage back to positions in x's row-major logical order. */
function storageToLogical(x: Tensor, offs: Tensor): Tensor {
  // NOTE: x's strides may be permuted or sliced; invert by enumerating x's own offsets once.
  const table = new Map<number, number>();
  const xo = offsets({ view: x, arrays: [] }).offs.reshape([-1]).dataSync();
  for (let i = 0; i < xo.length; i++) table.set(xo[i]!, i);
  const o = offs.dataSync();
  const res = new Int32Array(o.length);
  for (let i = 0; i < o.length; i++) res[i] = table.get(o[i]!)!;
  return new Tensor(x.storage.backend.fromArray(res), offs.shape.slice(), contiguousStrides(offs.shape), 0);
}

function checkIndex(x: Tensor, dim: number, index: Tensor, op: string): number {
  if (index.dtype !== 'int32' && index.dtype !== 'uint8')
    throw new DTypeError(`${op}(): Expected dtype int32 (torch: int64) for index, got ${index.dtype}`);
  const d = normDim(dim, x.ndim);
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
  const out = emptyTensor(index.shape, x.dtype, x.storage.backend);
  x.storage.backend.gather(x, d, index, out);
  return record1('GatherBackward0', [x], out, (g) => [x.zerosLike().scatterAdd(d, index, g)]);
}

/** torch.scatter_add (out of place). */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const d = checkIndex(x, dim, index, 'scatter_add');
  const out = x.clone().detach();
  out.storage.backend.scatterAdd(out, d, index, src.to(x.dtype));
  return record1('ScatterAddBackward0', [x, src], out, (g) => [g, src.requiresGrad ? g.gather(d, index) : null]);
}

/** torch.scatter with a tensor or scalar source (duplicate indices: last write unspecified, as torch). */
export function scatter(x: Tensor, dim: number, index: Tensor, src: TensorLike): Tensor {
  const d = checkIndex(x, dim, index, 'scatter');
  let part: Tensor;
  if (src instanceof Tensor) {
    part = src.to(x.dtype);
    index.shape.forEach((n, k) => (part = part.narrow(k, 0, n)));
  } else part = index.zerosLike().to(x.dtype).add(src as number);
  const cnt = noGrad(() => x.zerosLike().int().scatterAdd(d, index, index.onesLike().int()));
  const placed = x.zerosLike().scatterAdd(d, index, part);
  const vals = isFloating(x.dtype) ? placed.div(cnt.clamp(1)) : placed.floorDivide(cnt.clamp(1)).to(x.dtype);
  return where(cnt.gt(0), vals, x);
}

/** torch.index_select(x, dim, index) for a 1-D index. */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  if (index.ndim > 1) throw new ShapeError(`index_select(): Index is supposed to be a vector, got shape ${fmtShape(index.shape)}`);
  const d = normDim(dim, x.ndim);
  const shape = x.shape.slice();
  shape[d] = index.numel();
  const idx = index.reshape(shape.map((_, k) => (k === d ? index.numel() : 1))).expand(shape);
  return gather(x, d, idx);
}

export function maskedFill(x: Tensor, mask: Tensor, value: number | Tensor): Tensor {
  if (mask.dtype !== 'bool') throw new DTypeError(`masked_fill only supports boolean masks, but got mask with dtype ${mask.dtype}`);
  return where(mask, value, x);
}

export { sliceView };
