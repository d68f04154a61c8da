// Strided iteration for the reference backend: walks any number of operands in lock-step over a shape,
// handing the kernel one innermost row at a time (offsets + length + per-operand inner strides), so the
// kernel's hot loop is a plain `for` and nothing is allocated per element. Broadcast operands simply
// have stride 0 in the broadcast dims.

/** Merge dims that are contiguous for every operand and drop size-1 dims. */
function coalesce(shape: readonly number[], strides: readonly (readonly number[])[]): [number[], number[][]] {
  const dims: number[] = [];
  const st: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && strides.every((s, j) => st[j]![last] === s[d]! * shape[d]!)) {
      dims[last] = dims[last]! * shape[d]!;
      strides.forEach((s, j) => (st[j]![last] = s[d]!));
    } else {
      dims.push(shape[d]!);
      strides.forEach((s, j) => st[j]!.push(s[d]!));
    }
  }
  return [dims, st];
}

export type RowFn = (offs: number[], n: number, inner: number[]) => void;

/** Call `row` once per innermost row of `shape` (nothing for an empty shape with a 0 dim). */
export function iterate(shape: readonly number[], strides: readonly (readonly number[])[], offsets: readonly number[], row: RowFn): void {
  for (const s of shape) if (s === 0) return;
  const [dims, st] = coalesce(shape, strides);
  const k = strides.length;
  const offs = offsets.slice();
  if (dims.length === 0) {
    row(offs, 1, new Array<number>(k).fill(0));
    return;
  }
  const nd = dims.length;
  const n = dims[nd - 1]!;
  const inner = st.map((s) => s[nd - 1]!);
  let outer = 1;
  for (let d = 0; d < nd - 1; d++) outer *= dims[d]!;
  const counter = new Array<number>(nd - 1).fill(0);
  for (let r = 0; r < outer; r++) {
    row(offs, n, inner);
    for (let d = nd - 2; d >= 0; d--) {
      counter[d]!++;
      for (let j = 0; j < k; j++) offs[j]! += st[j]![d]!;
      if (counter[d]! < dims[d]!) break;
      for (let j = 0; j < k; j++) offs[j]! -= st[j]![d]! * dims[d]!;
      counter[d] = 0;
    }
  }
}

/**
 * The shape a reduction iterates over x: for max/min, reduced dims that x broadcasts (stride 0) shrink
 * to one element, since the extreme of n copies is the copy itself (bit-identical, NaN and -0 too).
 * Reductions of huge expanded views, e.g. `ones([1]).expand(2 ** 31).max()`, then cost nothing.
 */
export function idempotentShape(op: string, x: { shape: readonly number[]; strides: readonly number[] }, axes: readonly number[]): readonly number[] {
  if (op !== 'max' && op !== 'min') return x.shape;
  return x.shape.map((s, d) => (x.strides[d] === 0 && s > 1 && axes.includes(d) ? 1 : s));
}

/**
 * Whether every element of view v lies inside its storage, with an integer offset, sizes and strides:
 * the last guard before a kernel touches memory (on wasm a stray view would reach a neighbouring tensor).
 */
export function viewInBounds(v: { readonly shape: readonly number[]; readonly strides: readonly number[]; readonly offset: number; readonly storage: { readonly size: number } }): boolean {
  let lo = v.offset, hi = v.offset;
  if (!Number.isInteger(lo)) return false;
  for (let d = 0; d < v.shape.length; d++) {
    const n = v.shape[d]!, s = v.strides[d]!;
    if (n === 0) return true; // nothing is read or written
    if (!Number.isInteger(n) || n < 0 || !Number.isInteger(s)) return false;
    const e = (n - 1) * s;
    if (e < 0) lo += e;
    else hi += e;
  }
  return lo >= 0 && hi < v.storage.size;
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

export function contiguousStrides(shape: readonly number[]): number[] {
  const st = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    st[d] = acc;
    acc *= shape[d]!;
  }
  return st;
}
