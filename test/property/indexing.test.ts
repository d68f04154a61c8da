// Property tests for `t.get(...)` / `t.set(...)` (see Note [Index syntax] in src/ops/indexing.ts)
// against a naive model of torch's indexing: basic items (ints, slices with steps and negative bounds,
// None, ellipsis) give views; integer arrays gather (numpy's placement of the indexed dims, with torch's
// rule that plain ints select first); boolean masks filter; set then get round-trips; gradients count
// how often each element was read.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Slice, Tensor, arange, errors, tensor, type IndexItem, type NestedArray } from '../../src/index.js';
import { OPS_READ_ON_HOST, describeBackends } from '../helpers/backends.js';
import { vals } from '../helpers/read.js';
import { N, type NT, at, flat, fromFn, indices, permFrom, prod, pySlice, shapeArb } from './naive.js';

fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 42), numRuns: Number(process.env.FC_RUNS ?? 100) });

// ---- the naive model of an index expression ----

type Item =
  | { kind: 'int'; v: number }
  | { kind: 'slice'; start: number | null; stop: number | null; step: number | null }
  | { kind: 'none' }
  | { kind: 'ellipsis' }
  | { kind: 'array'; idx: NT }
  | { kind: 'mask'; mask: NT };

const consumes = (it: Item): number => (it.kind === 'none' || it.kind === 'ellipsis' ? 0 : it.kind === 'mask' ? it.mask.shape.length : 1);

/** Integer arrays on dims of v: numpy placement (adjacent dims stay in place, else go first). */
function naiveAdvanced(v: NT, arrays: { dim: number; idx: NT }[]): NT {
  let ishape: number[] = [];
  for (const a of arrays) ishape = N.broadcastShapes(ishape, a.idx.shape)!;
  const dims = arrays.map((a) => a.dim);
  const adjacent = dims.every((d, i) => i === 0 || d === dims[i - 1]! + 1);
  const rest = v.shape.map((_, i) => i).filter((i) => !dims.includes(i));
  const front = adjacent ? rest.filter((i) => i < dims[0]!) : [];
  const back = adjacent ? rest.filter((i) => i > dims[0]!) : rest;
  const shape = [...front.map((i) => v.shape[i]!), ...ishape, ...back.map((i) => v.shape[i]!)];
  const eidx = arrays.map((a) => N.expand(a.idx, ishape));
  return fromFn(shape, (o) => {
    const src = new Array<number>(v.shape.length);
    front.forEach((d, k) => (src[d] = o[k]!));
    const io = o.slice(front.length, front.length + ishape.length);
    arrays.forEach((a, j) => {
      const x = at(eidx[j]!, io);
      src[a.dim] = x < 0 ? x + v.shape[a.dim]! : x;
    });
    back.forEach((d, k) => (src[d] = o[front.length + ishape.length + k]!));
    return at(v, src);
  });
}

function naiveNonzero(mask: NT): NT[] {
  const coords: number[][] = mask.shape.map(() => []);
  for (const idx of indices(mask.shape)) if (at(mask, idx)) idx.forEach((v, k) => coords[k]!.push(v));
  return coords.map((c) => ({ shape: [c.length], data: c }));
}

/** x[items] in the naive model; `basic` says whether the result is a view. */
function naiveIndex(x: NT, items: readonly Item[]): { out: NT; basic: boolean } {
  const used = items.reduce((n, it) => n + consumes(it), 0);
  const expanded: Item[] = [];
  for (const it of items) {
    if (it.kind === 'ellipsis') for (let k = 0; k < x.shape.length - used; k++) expanded.push({ kind: 'slice', start: null, stop: null, step: null });
    else expanded.push(it);
  }
  let v = x, d = 0;
  const arrays: { dim: number; idx: NT }[] = [];
  for (const it of expanded) {
    if (it.kind === 'none') v = N.unsqueeze(v, d++);
    else if (it.kind === 'int') v = N.select(v, d, it.v < 0 ? it.v + v.shape[d]! : it.v);
    else if (it.kind === 'slice') v = N.slice(v, d++, it.start, it.stop, it.step ?? 1);
    else if (it.kind === 'array' && it.idx.shape.length === 0) v = N.select(v, d, it.idx.data[0]! < 0 ? it.idx.data[0]! + v.shape[d]! : it.idx.data[0]!);
    else if (it.kind === 'array') arrays.push({ dim: d++, idx: it.idx });
    else if (it.kind === 'mask') for (const c of naiveNonzero(it.mask)) arrays.push({ dim: d++, idx: c });
  }
  const basic = items.every((it) => it.kind !== 'mask' && (it.kind !== 'array' || it.idx.shape.length === 0));
  return { out: arrays.length ? naiveAdvanced(v, arrays) : v, basic };
}

// ---- turning items into the library's syntax ----

const sliceStr = (it: { start: number | null; stop: number | null; step: number | null }): string =>
  `${it.start ?? ''}:${it.stop ?? ''}${it.step === null ? '' : `:${it.step}`}`;

function nested(t: NT): NestedArray {
  if (t.shape.length === 0) return t.data[0]!;
  let k = 0;
  const build = (d: number): NestedArray[] =>
    [...Array(t.shape[d]).keys()].map(() => (d === t.shape.length - 1 ? t.data[k++]! : build(d + 1)));
  return build(0);
}

/** The library form of one item; `style` picks between equivalent spellings. */
function toLib(it: Item, style: number): IndexItem {
  switch (it.kind) {
    case 'int':
      return style % 2 ? it.v : String(it.v);
    case 'slice':
      return style % 2 ? new Slice(it.start, it.stop, it.step) : sliceStr(it);
    case 'none':
      return style % 2 ? null : 'None';
    case 'ellipsis':
      return '...';
    case 'array':
      return it.idx.shape.length === 1 && style % 2 ? it.idx.data : tensor(it.idx.data, { dtype: 'int32' }).reshape(it.idx.shape);
    case 'mask':
      return it.mask.shape.length === 1 && style % 2 ? it.mask.data.map((v) => v !== 0) : tensor(it.mask.data.map((v) => v !== 0), { dtype: 'bool' }).reshape(it.mask.shape);
  }
}

/** All basic items as one Python-like string, or as separate items. */
function spell(items: readonly Item[], style: number): IndexItem[] {
  const basic = items.every((it) => it.kind !== 'array' && it.kind !== 'mask');
  if (basic && items.length > 0 && style % 3 === 0)
    return [items.map((it) => (it.kind === 'int' ? String(it.v) : it.kind === 'slice' ? sliceStr(it) : it.kind === 'none' ? 'None' : '...')).join(', ')];
  return items.map((it, i) => toLib(it, style >> i));
}

const rootOf = (shape: readonly number[]): Tensor => arange(prod(shape), undefined, 1, { dtype: 'float32' }).reshape(shape.slice());
const rootNT = (shape: readonly number[]): NT => ({ shape: shape.slice(), data: [...Array(prod(shape)).keys()] });
const describeItems = (items: readonly Item[]): string =>
  items.map((it) => (it.kind === 'int' ? it.v : it.kind === 'slice' ? sliceStr(it) : it.kind === 'none' ? 'None' : it.kind === 'ellipsis' ? '...' : it.kind === 'array' ? `arr${JSON.stringify(nested(it.idx))}` : `mask${JSON.stringify(nested(it.mask))}`)).join(', ');

// ---- generators ----

interface RawBasic {
  isInt: boolean;
  a: number;
  b: number;
  nullA: boolean;
  nullB: boolean;
  step: number | null;
}
const rawBasic: fc.Arbitrary<RawBasic> = fc.record({
  isInt: fc.boolean(),
  a: fc.nat({ max: 60 }),
  b: fc.nat({ max: 60 }),
  nullA: fc.boolean(),
  nullB: fc.boolean(),
  step: fc.option(fc.integer({ min: 1, max: 3 })),
});

/** A random basic index expression for `shape`: ints, slices, Nones and maybe one ellipsis. */
const basicCase = shapeArb({ maxRank: 4, zero: true }).chain((shape) =>
  fc
    .record({
      raw: fc.array(rawBasic, { maxLength: shape.length }),
      nones: fc.array(fc.nat({ max: 10 }), { maxLength: 2 }),
      ellipsis: fc.option(fc.nat({ max: 10 })),
      style: fc.nat({ max: 1 << 12 }),
    })
    .map(({ raw, nones, ellipsis, style }) => {
      const k = raw.length;
      const e = ellipsis === null ? null : ellipsis % (k + 1);
      // the dim of x each consuming item indexes
      const dimOf = (i: number): number => (e === null || i < e ? i : shape.length - (k - i));
      const items: Item[] = raw.map((r, i) => {
        const n = shape[dimOf(i)]!;
        if (r.isInt && n > 0) return { kind: 'int', v: (r.a % (2 * n)) - n };
        const bound = (v: number, isNull: boolean): number | null => (isNull ? null : (v % (2 * n + 5)) - n - 2);
        return { kind: 'slice', start: bound(r.a, r.nullA), stop: bound(r.b, r.nullB), step: r.step };
      });
      if (e !== null) items.splice(e, 0, { kind: 'ellipsis' });
      for (const p of nones) items.splice(p % (items.length + 1), 0, { kind: 'none' });
      return { shape, items, style };
    }),
);

/** Integer-array indexing: ':' slices (maybe stepped), plain ints and broadcastable int arrays. */
const advancedCase = fc
  .tuple(shapeArb({ minRank: 1, maxRank: 3 }), shapeArb({ minRank: 1, maxRank: 2, max: 3 }))
  .chain(([shape, ishape]) =>
    fc.record({
      shape: fc.constant(shape),
      ishape: fc.constant(ishape),
      kinds: fc.array(fc.constantFrom('slice', 'array', 'array', 'int'), { minLength: shape.length, maxLength: shape.length }),
      drop: fc.nat({ max: shape.length - 1 }),
      lead: fc.array(fc.nat({ max: 3 }).map((v) => (v === 3 ? 1 : 0)), { minLength: 3, maxLength: 3 }),
      ones: fc.array(fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }), { minLength: 3, maxLength: 3 }),
      vals: fc.array(fc.nat({ max: 1000 }), { minLength: 40, maxLength: 40 }),
      steps: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: 3, maxLength: 3 }),
      style: fc.nat({ max: 1 << 12 }),
    }),
  )
  .map(({ shape, ishape, kinds, drop, lead, ones, vals, steps, style }) => {
    const ks = kinds.slice(0, shape.length - (kinds.includes('array') ? Math.min(drop, shape.length - 1 - kinds.lastIndexOf('array')) : 0));
    if (!ks.includes('array')) ks[0] = 'array';
    let vi = 0, ai = 0;
    const items: Item[] = ks.map((k, d) => {
      const n = shape[d]!;
      if (k === 'slice') return { kind: 'slice', start: null, stop: null, step: steps[d] === 1 ? null : steps[d]! };
      if (k === 'int') return { kind: 'int', v: (vals[vi++ % vals.length]! % (2 * n)) - n };
      const j = ai++;
      const s = ishape.slice(Math.min(lead[j]!, ishape.length)).map((v, i) => (ones[j]![i] ? 1 : v));
      return { kind: 'array', idx: fromFn(s, () => (vals[vi++ % vals.length]! % (2 * n)) - n) };
    });
    return { shape, items, style };
  });

/** Boolean masks over a run of dims (after some ':' items), as bool tensors or boolean[]. */
const maskCase = shapeArb({ minRank: 1, maxRank: 3, zero: true }).chain((shape) =>
  fc
    .tuple(fc.nat({ max: shape.length - 1 }), fc.nat({ max: 2 }), fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }), fc.nat({ max: 1 << 8 }))
    .map(([skip, len, bits, style]) => {
      const mshape = shape.slice(skip, skip + 1 + Math.min(len, shape.length - skip - 1));
      const mask: NT = { shape: mshape, data: bits.slice(0, prod(mshape)).map((b) => (b ? 1 : 0)) };
      const items: Item[] = [...Array(skip)].map(() => ({ kind: 'slice', start: null, stop: null, step: null }) as Item);
      items.push({ kind: 'mask', mask });
      return { shape, items, style };
    }),
);

// ---- properties ----

async function checkGet(shape: number[], items: Item[], style: number): Promise<{ t: Tensor; out: Tensor; want: NT; basic: boolean }> {
  const t = rootOf(shape);
  const { out: want, basic } = naiveIndex(rootNT(shape), items);
  const out = t.get(...spell(items, style));
  const what = `x${JSON.stringify(shape)}[${describeItems(items)}]`;
  expect(out.shape, what).toEqual(want.shape);
  expect(flat(await vals(out)), what).toEqual(want.data);
  if (basic) expect(out.storage, `${what} is a view`).toBe(t.storage);
  else expect(out.storage, `${what} is a copy`).not.toBe(t.storage);
  return { t, out, want, basic };
}

describeBackends('basic indexing (ints, slices, None, ellipsis)', () => {
  test('get equals the naive model and is a view', async () => {
    await fc.assert(fc.asyncProperty(basicCase, async ({ shape, items, style }) => { await checkGet(shape, items, style); }));
  });

  test('set(items, scalar) writes exactly the selected elements of the base', async () => {
    await fc.assert(
      fc.asyncProperty(basicCase, async ({ shape, items, style }) => {
        const t = rootOf(shape);
        const { out: sel } = naiveIndex(rootNT(shape), items);
        const spelled = spell(items, style);
        t.set(spelled.length === 1 ? spelled[0]! : spelled, -1);
        const want = [...Array(prod(shape)).keys()];
        for (const k of sel.data) want[k] = -1;
        expect(flat(await vals(t))).toEqual(want);
      }),
    );
  });

  test('set then get round-trips (value as given, with leading 1s, and broadcast from its last dim)', async () => {
    await fc.assert(
      fc.asyncProperty(basicCase, fc.nat({ max: 2 }), async ({ shape, items, style }, form) => {
        const t = rootOf(shape);
        const { out: sel } = naiveIndex(rootNT(shape), items);
        const spelled = spell(items, style);
        const n = prod(sel.shape);
        let value = tensor([...Array(n).keys()].map((i) => -1 - i), { dtype: 'float32' }).reshape(sel.shape);
        if (form === 2 && sel.shape.length > 0) value = tensor([...Array(sel.shape.at(-1)).keys()].map((i) => -1 - i), { dtype: 'float32' });
        const expected = await vals(value.expand(sel.shape));
        // torch drops leading size-1 dims of the value: out[i] = y with y of shape [1, n]
        t.set(spelled, form === 1 ? value.unsqueeze(0).unsqueeze(0) : value);
        const got = t.get(...spelled);
        expect(got.shape).toEqual(sel.shape);
        expect(await vals(got)).toEqual(expected);
        // the rest of the base is untouched
        const touched = new Set(sel.data);
        flat(await vals(t)).forEach((v, k) => {
          if (!touched.has(k)) expect(v).toBe(k);
        });
      }),
    );
  });
});

describeBackends('integer-array indexing', () => {
  test('get equals a naive gather (numpy placement of the index dims) and copies', async () => {
    await fc.assert(fc.asyncProperty(advancedCase, async ({ shape, items, style }) => { await checkGet(shape, items, style); }));
  });

  test('plain ints select before the arrays are placed (torch, unlike numpy)', async () => {
    const x = rootOf([2, 3, 4]);
    // numpy gives (2, 3) here; torch applies the int as a select first, giving (3, 2)
    expect(x.get(0, ':', [0, 1]).shape).toEqual([3, 2]);
    expect(await vals(x.get(0, ':', [0, 1]))).toEqual([[0, 1], [4, 5], [8, 9]]);
    // arrays separated by a slice still go to the front
    expect(x.get([0, 1], ':', [1, 2]).shape).toEqual([2, 3]);
    // a 0-d int tensor behaves like a plain int
    expect(x.get(tensor(0), ':', [0, 1]).shape).toEqual([3, 2]);
  });

  test('gradient counts how many times each element was gathered', async () => {
    await fc.assert(
      fc.asyncProperty(advancedCase, async ({ shape, items, style }) => {
        const x = rootOf(shape).requiresGrad_();
        x.get(...spell(items, style)).sum().backward();
        const counts = new Array<number>(prod(shape)).fill(0);
        for (const k of naiveIndex(rootNT(shape), items).out.data) counts[k]!++;
        expect(flat(await vals(x.grad!))).toEqual(counts);
      }),
    );
  });

  test('set with unique indices then get round-trips; other elements are untouched', async () => {
    const uniqueCase = fc
      .tuple(shapeArb({ minRank: 1, maxRank: 3 }), fc.array(fc.nat(), { maxLength: 4 }), fc.nat(), fc.nat({ max: 10 }), fc.boolean(), fc.nat({ max: 1 << 6 }))
      .map(([shape, seeds, m, dimSeed, negative, style]) => {
        const d = dimSeed % shape.length, n = shape[d]!;
        const pos = permFrom(n, seeds).slice(0, 1 + (m % n)).map((p) => (negative ? p - n : p));
        const items: Item[] = [...Array(d)].map(() => ({ kind: 'slice', start: null, stop: null, step: null }) as Item);
        items.push({ kind: 'array', idx: { shape: [pos.length], data: pos } });
        return { shape, items, style };
      });
    await fc.assert(
      fc.asyncProperty(uniqueCase, async ({ shape, items, style }) => {
        const t = rootOf(shape);
        const { out: sel } = naiveIndex(rootNT(shape), items);
        const value = tensor(sel.data.map((_, i) => 1000 + i), { dtype: 'float32' }).reshape(sel.shape);
        const spelled = spell(items, style);
        t.set(spelled, value);
        expect(await vals(t.get(...spelled))).toEqual(await vals(value));
        const want = [...Array(prod(shape)).keys()];
        sel.data.forEach((k, i) => (want[k] = 1000 + i));
        expect(flat(await vals(t))).toEqual(want);
      }),
    );
  });

  test('out-of-range indices throw an IndexError naming the index, dim and size', async () => {
    await fc.assert(
      fc.asyncProperty(shapeArb({ minRank: 1, maxRank: 3 }), fc.nat({ max: 10 }), fc.integer({ min: 0, max: 3 }), fc.boolean(), async (shape, dimSeed, over, neg) => {
        const d = dimSeed % shape.length, n = shape[d]!;
        const bad = neg ? -n - 1 - over : n + over;
        const x = rootOf(shape);
        const pre = [...Array(d)].map(() => ':');
        const msg = new RegExp(`index ${bad} is out of bounds for dimension ${d} with size ${n}`);
        for (const item of [bad, [0, bad], tensor([bad])] as IndexItem[]) {
          expect(() => x.get(...pre, item)).toThrow(errors.IndexError);
          expect(() => x.get(...pre, item)).toThrow(msg);
        }
        // an int before the array: the message still names the dim of x
        if (shape.length >= 2 && d >= 1) expect(() => x.get(0, ...pre.slice(1), [bad])).toThrow(msg);
      }),
    );
  });
}, { skip: { 'cpu-async': OPS_READ_ON_HOST } });

describeBackends('boolean mask indexing', () => {
  test('get equals the naive filter (over a run of dims, after some ":" items)', async () => {
    await fc.assert(fc.asyncProperty(maskCase, async ({ shape, items, style }) => { await checkGet(shape, items, style); }));
  });

  test('a full-shape mask is a row-major filter; x.get(x.gt(c)) keeps the values > c', async () => {
    await fc.assert(
      fc.asyncProperty(shapeArb({ maxRank: 3, zero: true }).filter((s) => s.length > 0), fc.integer({ min: -1, max: 30 }), async (shape, c) => {
        const x = rootOf(shape);
        const got = x.get(x.gt(c));
        expect(got.shape).toEqual([rootNT(shape).data.filter((v) => v > c).length]);
        expect(await vals(got)).toEqual(rootNT(shape).data.filter((v) => v > c));
      }),
    );
  });

  test('set(mask, scalar) is masked fill; set(mask, values) then get round-trips', async () => {
    await fc.assert(
      fc.asyncProperty(maskCase, async ({ shape, items, style }) => {
        const { out: sel } = naiveIndex(rootNT(shape), items);
        const spelled = spell(items, style);
        const t = rootOf(shape);
        t.set(spelled, -5);
        const want = [...Array(prod(shape)).keys()];
        for (const k of sel.data) want[k] = -5;
        expect(flat(await vals(t))).toEqual(want);
        const u = rootOf(shape);
        const value = tensor(sel.data.map((_, i) => 500 + i), { dtype: 'float32' }).reshape(sel.shape);
        u.set(spelled, value);
        expect(await vals(u.get(...spelled))).toEqual(await vals(value));
      }),
    );
  });

  test('a mask of the wrong shape throws an IndexError naming both shapes', async () => {
    const x = rootOf([2, 3]);
    expect(() => x.get(tensor([true, false, true]))).toThrow(errors.IndexError);
    expect(() => x.get(tensor([true, false, true]))).toThrow(/mask \[3\].*indexed tensor \[2\] at dim 0/);
    expect(() => x.get(':', [true, false])).toThrow(/mask \[2\].*\[3\] at dim 1/);
  });
}, { skip: { 'cpu-async': OPS_READ_ON_HOST } });

describe('pySlice (the naive slice) agrees with Python', () => {
  test('a few hand-checked cases', async () => {
    expect(pySlice(5, null, null, 2)).toEqual([0, 2, 4]);
    expect(pySlice(5, -2, null, 1)).toEqual([3, 4]);
    expect(pySlice(5, -9, 9, 3)).toEqual([0, 3]);
    expect(pySlice(5, 4, 1, 1)).toEqual([]);
    expect(pySlice(0, -1, 1, 1)).toEqual([]);
  });
});
