// A deliberately naive reference model for the property tests: a tensor is a row-major JS array plus a
// shape, and every op is written with plain index arithmetic (one output element at a time), so it is
// obviously right and shares no code with src/.
import fc from 'fast-check';

export interface NT {
  shape: number[];
  data: number[];
}

export const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

export function rowMajorStrides(shape: readonly number[]): number[] {
  const st = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) (st[d] = acc), (acc *= shape[d]!);
  return st;
}

/** Every multi-index of `shape` in row-major (odometer) order. */
export function* indices(shape: readonly number[]): Generator<number[]> {
  if (shape.some((s) => s === 0)) return;
  const idx = new Array<number>(shape.length).fill(0);
  for (;;) {
    yield idx.slice();
    let d = shape.length - 1;
    for (; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

export function fromFn(shape: readonly number[], f: (idx: number[]) => number): NT {
  const data: number[] = [];
  for (const idx of indices(shape)) data.push(f(idx));
  return { shape: shape.slice(), data };
}

export function at(t: NT, idx: readonly number[]): number {
  let k = 0;
  for (let d = 0; d < t.shape.length; d++) k = k * t.shape[d]! + idx[d]!;
  return t.data[k]!;
}

export const arangeNT = (shape: readonly number[]): NT => ({ shape: shape.slice(), data: [...Array(prod(shape)).keys()] });

/** Python's slice.indices() for a positive step, as a list of the selected positions. */
export function pySlice(n: number, start: number | null, stop: number | null, step: number): number[] {
  const norm = (v: number | null, def: number): number => (v === null ? def : v < 0 ? Math.max(0, v + n) : Math.min(v, n));
  const s = norm(start, 0), e = norm(stop, n);
  const out: number[] = [];
  for (let i = s; i < e; i += step) out.push(i);
  return out;
}

/** Take positions `pos` along dim d (keeps the dim). */
export function takeAlong(t: NT, d: number, pos: readonly number[]): NT {
  const shape = t.shape.slice();
  shape[d] = pos.length;
  return fromFn(shape, (idx) => at(t, idx.map((v, k) => (k === d ? pos[v]! : v))));
}

export const N = {
  reshape: (t: NT, shape: readonly number[]): NT => {
    const known = shape.filter((s) => s !== -1);
    const out = shape.map((s) => (s === -1 ? prod(t.shape) / prod(known) : s));
    return { shape: out, data: t.data.slice() };
  },
  permute: (t: NT, perm: readonly number[]): NT =>
    fromFn(perm.map((p) => t.shape[p]!), (idx) => {
      const src = new Array<number>(perm.length);
      perm.forEach((p, i) => (src[p] = idx[i]!));
      return at(t, src);
    }),
  transpose: (t: NT, a: number, b: number): NT => {
    const perm = t.shape.map((_, i) => i);
    [perm[a], perm[b]] = [perm[b]!, perm[a]!];
    return N.permute(t, perm);
  },
  unsqueeze: (t: NT, d: number): NT => {
    const shape = t.shape.slice();
    shape.splice(d, 0, 1);
    return { shape, data: t.data.slice() };
  },
  squeeze: (t: NT, d: number | null): NT => ({
    shape: t.shape.filter((s, i) => !(s === 1 && (d === null || d === i))),
    data: t.data.slice(),
  }),
  /** Broadcast to `shape` (numpy rules, shape already resolved). */
  expand: (t: NT, shape: readonly number[]): NT => {
    const lead = shape.length - t.shape.length;
    return fromFn(shape, (idx) => at(t, t.shape.map((s, k) => (s === 1 ? 0 : idx[k + lead]!))));
  },
  slice: (t: NT, d: number, start: number | null, stop: number | null, step: number): NT =>
    takeAlong(t, d, pySlice(t.shape[d]!, start, stop, step)),
  narrow: (t: NT, d: number, start: number, length: number): NT => takeAlong(t, d, [...Array(length).keys()].map((i) => i + start)),
  select: (t: NT, d: number, i: number): NT => {
    const shape = t.shape.filter((_, k) => k !== d);
    return fromFn(shape, (idx) => at(t, [...idx.slice(0, d), i, ...idx.slice(d)]));
  },
  flip: (t: NT, dims: readonly number[]): NT =>
    fromFn(t.shape, (idx) => at(t, idx.map((v, k) => (dims.includes(k) ? t.shape[k]! - 1 - v : v)))),
  /** numpy broadcast of two shapes, or null when incompatible. */
  broadcastShapes: (a: readonly number[], b: readonly number[]): number[] | null => {
    const n = Math.max(a.length, b.length);
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const x = a[a.length - n + i] ?? 1, y = b[b.length - n + i] ?? 1;
      if (x !== y && x !== 1 && y !== 1) return null;
      out.push(x === 1 ? y : x);
    }
    return out;
  },
  binary: (a: NT, b: NT, f: (x: number, y: number) => number): NT => {
    const shape = N.broadcastShapes(a.shape, b.shape)!;
    const ea = N.expand(a, shape), eb = N.expand(b, shape);
    return { shape, data: ea.data.map((x, i) => f(x, eb.data[i]!)) };
  },
  sum: (t: NT, dims: readonly number[], keepdim: boolean): NT => {
    const kept = t.shape.map((s, i) => (dims.includes(i) ? 1 : s));
    const out = fromFn(kept, () => 0);
    const ost = rowMajorStrides(kept);
    for (const idx of indices(t.shape)) {
      let k = 0;
      idx.forEach((v, d) => (k += (dims.includes(d) ? 0 : v) * ost[d]!));
      out.data[k]! += at(t, idx);
    }
    return keepdim ? out : { shape: t.shape.filter((_, i) => !dims.includes(i)), data: out.data };
  },
};

// ---- generators ----

/** A dim size: mostly 1..max, occasionally 0 when `zero` is set. */
export const dimSize = (max = 4, zero = false): fc.Arbitrary<number> =>
  zero ? fc.oneof({ arbitrary: fc.integer({ min: 1, max }), weight: 12 }, { arbitrary: fc.constant(0), weight: 1 }) : fc.integer({ min: 1, max });

export const shapeArb = (opts: { minRank?: number; maxRank?: number; max?: number; zero?: boolean } = {}): fc.Arbitrary<number[]> =>
  fc.array(dimSize(opts.max ?? 4, opts.zero ?? false), { minLength: opts.minRank ?? 0, maxLength: opts.maxRank ?? 4 });

/** A random permutation of 0..n-1 driven by a list of seeds. */
export function permFrom(n: number, seeds: readonly number[]): number[] {
  const p = [...Array(n).keys()];
  for (let i = n - 1; i > 0; i--) {
    const j = (seeds[i % Math.max(seeds.length, 1)] ?? 0) % (i + 1);
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

export function flat(x: unknown): number[] {
  if (Array.isArray(x)) return x.flatMap(flat);
  if (typeof x === 'boolean') return [x ? 1 : 0];
  return [x as number];
}
