// Shape arithmetic: broadcasting, dim normalisation, view-shape inference. Errors name the argument.
import { IndexError, ShapeError, fmtShape } from '../errors.js';

export { contiguousStrides, numel } from '../backend/cpu/iter.js';

/** Broadcast two shapes (numpy rules); the error names both operands and shapes. */
export function broadcastShapes(a: readonly number[], b: readonly number[], what = 'operands'): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1)
      throw new ShapeError(
        `${what}: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast together ` +
          `(size ${da} vs ${db} at dim ${i - n})`,
      );
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides that view `shape`/`strides` as `target` (numpy broadcast_to): 0 on broadcast dims. */
export function broadcastStrides(shape: readonly number[], strides: readonly number[], target: readonly number[], what = 'expand'): number[] {
  const n = target.length;
  if (shape.length > n)
    throw new ShapeError(`${what}: cannot broadcast shape ${fmtShape(shape)} to ${fmtShape(target)} (target has fewer dims)`);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const j = i - (n - shape.length);
    if (j < 0) out[i] = 0;
    else if (shape[j] === target[i]) out[i] = strides[j]!;
    else if (shape[j] === 1) out[i] = 0;
    else
      throw new ShapeError(
        `${what}: shape ${fmtShape(shape)} cannot be broadcast to ${fmtShape(target)} (size ${shape[j]} at dim ${j} must be 1 or ${target[i]})`,
      );
  }
  return out;
}

/** Wrap a possibly negative dim; the error names the argument, the dim and the rank. */
export function normDim(dim: number, ndim: number, arg = 'dim'): number {
  const n = Math.max(ndim, 1); // 0-d tensors accept dim 0 and -1, like torch
  if (!Number.isInteger(dim) || dim < -n || dim >= n)
    throw new IndexError(`${arg}=${dim} is out of range for a tensor of rank ${ndim} (expected ${arg} in [${-n}, ${n - 1}])`);
  return dim < 0 ? dim + n : dim;
}

/** Normalise a dims list (sorted, unique); an empty/undefined list means all dims. */
export function normDims(dims: number | readonly number[] | undefined | null, ndim: number, arg = 'dim'): number[] {
  if (dims === undefined || dims === null) return [...Array(ndim).keys()];
  const list = typeof dims === 'number' ? [dims] : dims;
  if (list.length === 0) return [...Array(ndim).keys()];
  const out = list.map((d) => (ndim === 0 ? (normDim(d, 0, arg), 0) : normDim(d, ndim, arg)));
  const set = new Set(out);
  if (set.size !== out.length) throw new IndexError(`${arg}: dim ${list.join(', ')} appears more than once`);
  return ndim === 0 ? [] : [...set].sort((a, b) => a - b);
}

/** Resolve a -1 in a view/reshape shape; checks the element count. */
export function inferShape(shape: readonly number[], total: number, from: readonly number[]): number[] {
  let neg = -1, prod = 1;
  shape.forEach((s, i) => {
    if (s === -1) {
      if (neg >= 0) throw new ShapeError(`view: only one dimension can be inferred (-1), got shape ${fmtShape(shape)}`);
      neg = i;
    } else if (!Number.isInteger(s) || s < 0) throw new ShapeError(`view: invalid shape dimension ${s} in ${fmtShape(shape)}`);
    else prod *= s;
  });
  const out = shape.slice();
  if (neg >= 0) {
    if (prod === 0 || total % prod !== 0)
      throw new ShapeError(`shape ${fmtShape(shape)} is invalid for input of size ${total} (shape ${fmtShape(from)})`);
    out[neg] = total / prod;
  } else if (prod !== total) throw new ShapeError(`shape ${fmtShape(shape)} is invalid for input of size ${total} (shape ${fmtShape(from)})`);
  return out;
}

/**
 * Strides for viewing (shape, strides) as newShape without copying, or null when impossible
 * (torch's computeStride: each group of merged/split dims must be contiguous within itself).
 */
export function viewStrides(shape: readonly number[], strides: readonly number[], newShape: readonly number[]): number[] | null {
  const total = shape.reduce((a, b) => a * b, 1);
  const newStrides = new Array<number>(newShape.length).fill(0);
  if (total === 0) {
    let acc = 1;
    for (let d = newShape.length - 1; d >= 0; d--) (newStrides[d] = acc), (acc *= Math.max(newShape[d]!, 1));
    return newStrides;
  }
  let viewD = newShape.length - 1;
  let chunkBase = strides[strides.length - 1] ?? 1;
  let tensorNumel = 1, viewNumel = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    tensorNumel *= shape[d]!;
    if (d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        newStrides[viewD] = viewNumel * chunkBase;
        viewNumel *= newShape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = strides[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  if (viewD !== -1) {
    // remaining size-1 dims
    while (viewD >= 0) {
      if (newShape[viewD] !== 1) return null;
      newStrides[viewD] = 1;
      viewD--;
    }
  }
  return newStrides;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export function isContiguous(shape: readonly number[], strides: readonly number[]): boolean {
  if (shape.includes(0)) return true; // torch: a tensor with no elements is contiguous, whatever its strides
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && strides[d] !== acc) return false;
    acc *= shape[d]!;
  }
  return true;
}
