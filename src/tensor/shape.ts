// Shape arithmetic: broadcasting, dim normalisation, view-shape inference, and the checks every
// index, size, dim and step passes before it reaches a backend. Errors name the function, the
// argument and the value.
import { ArgumentError, IndexError, ShapeError, fmtShape } from '../errors.js';

export { contiguousStrides, numel } from '../backend/cpu/iter.js';

/**
 * Most elements one allocated tensor can have: V8's typed-array length limit (2^32). Views of
 * broadcast (stride-0) dims may be larger, up to 2^53 elements, where counts stop being exact.
 */
export const MAX_NUMEL = 2 ** 32;

/** A value as an error message shows it: strings quoted, other types named. */
export function describeValue(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return `${v}${typeof v === 'bigint' ? 'n' : ''}`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return String(v);
  return Array.isArray(v) ? `an array [${v.map(describeValue).join(', ')}]` : `a ${v.constructor?.name ?? typeof v}`;
}

/**
 * An integer argument (an index, size, dim, step or count): a number with no fraction, within 2^53.
 * Anything else would reach the kernels as a fractional offset (torch raises a TypeError).
 */
export function checkInt(v: unknown, fn: string, arg: string): number {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  const why = typeof v === 'number' && Number.isInteger(v) ? ' (beyond 2^53, where integers stop being exact)' : '';
  throw new ArgumentError(`${fn}: ${arg} must be an integer, got ${describeValue(v)}${why}`);
}

/** A non-negative integer argument (a size or a count). */
export function checkSize(v: unknown, fn: string, arg: string): number {
  const n = checkInt(v, fn, arg);
  if (n < 0) throw new ArgumentError(`${fn}: ${arg} must be a non-negative integer, got ${n}`);
  return n;
}

/** A shape argument: non-negative integer sizes whose product stays exact (< 2^53). Returns a copy. */
export function checkShape(shape: unknown, fn: string, arg = 'size'): number[] {
  if (!Array.isArray(shape)) throw new ArgumentError(`${fn}: ${arg} must be an array of non-negative integers, got ${describeValue(shape)}`);
  let n = 1;
  for (let i = 0; i < shape.length; i++) {
    const s: unknown = shape[i];
    if (typeof s !== 'number' || !Number.isSafeInteger(s) || s < 0)
      throw new ArgumentError(`${fn}: ${arg} [${shape.map(describeValue).join(', ')}] must hold non-negative integers, got ${describeValue(s)} at position ${i}`);
    n *= s;
  }
  if (n > Number.MAX_SAFE_INTEGER) throw new ArgumentError(`${fn}: ${arg} ${fmtShape(shape as number[])} has about ${n} elements, more than 2^53 (where counts stop being exact)`);
  return shape.slice() as number[];
}

/** Before allocating n elements: the error names the count and the limit instead of V8's "Invalid typed array length". */
export function checkAlloc(n: number, fn: string, shape: readonly number[]): void {
  if (n > MAX_NUMEL)
    throw new ArgumentError(`${fn ? `${fn}: ` : ''}a tensor of shape ${fmtShape(shape)} would have ${n} elements, more than the ${MAX_NUMEL} (2^32) one tensor can hold`);
}

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

/**
 * Wrap a possibly negative dim; errors name the function (when given), the argument, the dim and the
 * rank: an ArgumentError for a non-integer, an IndexError when out of range.
 */
export function normDim(dim: number, ndim: number, arg = 'dim', fn?: string): number {
  const n = Math.max(ndim, 1); // 0-d tensors accept dim 0 and -1, like torch
  const at = fn ? `${fn}: ` : '';
  if (typeof dim !== 'number' || !Number.isInteger(dim)) throw new ArgumentError(`${at}${arg} must be an integer, got ${describeValue(dim)}`);
  if (dim < -n || dim >= n)
    throw new IndexError(`${at}${arg}=${dim} is out of range for a tensor of rank ${ndim} (expected ${arg} in [${-n}, ${n - 1}])`);
  return dim < 0 ? dim + n : dim;
}

/** Normalise a dims list (sorted, unique); an empty/undefined list means all dims. */
export function normDims(dims: number | readonly number[] | undefined | null, ndim: number, arg = 'dim', fn?: string): number[] {
  if (dims === undefined || dims === null) return [...Array(ndim).keys()];
  const list = typeof dims === 'number' ? [dims] : dims;
  if (!Array.isArray(list as unknown)) throw new ArgumentError(`${fn ? `${fn}: ` : ''}${arg} must be an integer or an array of integers, got ${describeValue(dims)}`);
  if (list.length === 0) return [...Array(ndim).keys()];
  const out = list.map((d) => (ndim === 0 ? (normDim(d, 0, arg, fn), 0) : normDim(d, ndim, arg, fn)));
  const set = new Set(out);
  if (set.size !== out.length) throw new IndexError(`${fn ? `${fn}: ` : ''}${arg}: dim ${list.join(', ')} appears more than once`);
  return ndim === 0 ? [] : [...set].sort((a, b) => a - b);
}

/** Resolve a -1 in a view/reshape shape; checks the element count. */
export function inferShape(shape: readonly number[], total: number, from: readonly number[], fn = 'view'): number[] {
  if (!Array.isArray(shape as unknown)) throw new ArgumentError(`${fn}: shape must be integers or an array of integers, got ${describeValue(shape)}`);
  let neg = -1, prod = 1;
  shape.forEach((s, i) => {
    if (s === -1) {
      if (neg >= 0) throw new ShapeError(`${fn}: only one dimension can be inferred (-1), got shape ${fmtShape(shape)}`);
      neg = i;
    } else if (typeof s !== 'number' || !Number.isSafeInteger(s)) throw new ArgumentError(`${fn}: shape ${fmtShape(shape)} must hold integers, got ${describeValue(s)} at position ${i}`);
    else if (s < 0) throw new ShapeError(`${fn}: invalid shape dimension ${s} in ${fmtShape(shape)}`);
    else prod *= s;
  });
  const out = shape.slice();
  if (neg >= 0) {
    if (prod === 0 || total % prod !== 0)
      throw new ShapeError(`${fn}: shape ${fmtShape(shape)} is invalid for input of size ${total} (shape ${fmtShape(from)})`);
    out[neg] = total / prod;
  } else if (prod !== total) throw new ShapeError(`${fn}: shape ${fmtShape(shape)} is invalid for input of size ${total} (shape ${fmtShape(from)})`);
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
