// Property tests for views: random shapes + random chains of view ops against the naive model in
// ./naive.ts, storage sharing and write-through, contiguous(), reshape round trips, viewStrides against
// a brute-force "is there any stride vector that works" oracle, and the strided iterator of the
// reference backend against a naive odometer.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Tensor, arange, errors, tensor, zeros } from '../../src/index.js';
import { viewStrides } from '../../src/tensor/shape.js';
import { iterate } from '../../src/backend/cpu/iter.js';
import { describeBackends } from '../helpers/backends.js';
import { vals } from '../helpers/read.js';
import { N, type NT, arangeNT, flat, indices, permFrom, prod, rowMajorStrides, shapeArb } from './naive.js';

fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 42), numRuns: Number(process.env.FC_RUNS ?? 100) });

// ---- the oracle for "can this be a view?" ----

/** Storage offsets of t's elements in row-major order. */
function elementOffsets(shape: readonly number[], strides: readonly number[], offset = 0): number[] {
  const out: number[] = [];
  for (const idx of indices(shape)) out.push(idx.reduce((o, v, d) => o + v * strides[d]!, offset));
  return out;
}

/**
 * Strides s with offs[k] = offs[0] + Σ idx_d(k)·s_d for every k (row-major k over newShape), or null if
 * none exist: a view of those elements as newShape is possible exactly when such strides exist.
 */
function affineStrides(offs: readonly number[], newShape: readonly number[]): number[] | null {
  if (offs.length === 0) return rowMajorStrides(newShape);
  const rm = rowMajorStrides(newShape);
  const s = newShape.map((n, d) => (n > 1 ? offs[rm[d]!]! - offs[0]! : 0));
  let k = 0;
  for (const idx of indices(newShape)) {
    if (idx.reduce((o, v, d) => o + v * s[d]!, offs[0]!) !== offs[k]) return null;
    k++;
  }
  return s;
}

const canView = (t: Tensor, shape: readonly number[]): boolean =>
  affineStrides(elementOffsets(t.shape, t.strides), shape.map((s) => (s === -1 ? prod(t.shape) / prod(shape.filter((x) => x !== -1)) : s))) !== null;

function factorize(n: number): number[] {
  const f: number[] = [];
  for (let p = 2; n > 1; p++) while (n % p === 0) (f.push(p), (n /= p));
  return f;
}

/** A random shape of numel n from the seeds, maybe with a -1 and some size-1 dims. */
function reshapeTarget(cur: readonly number[], a: number, b: number, c: number, flag: boolean): number[] {
  const n = prod(cur);
  if (n === 0) return flag ? [0] : [...cur].reverse();
  const k = 1 + (a % 3);
  const bins = new Array<number>(k).fill(1);
  factorize(n).forEach((p, i) => (bins[(b + i * 7 + c) % k]! *= p));
  if (flag) bins.splice(c % (k + 1), 0, 1);
  if (c % 2 === 0) bins[b % bins.length] = -1;
  return bins;
}

interface Step {
  op: number;
  a: number;
  b: number;
  c: number;
  d: number;
  flag: boolean;
}
const stepArb: fc.Arbitrary<Step> = fc.record({
  op: fc.nat({ max: 11 }),
  a: fc.nat({ max: 1000 }),
  b: fc.nat({ max: 1000 }),
  c: fc.nat({ max: 1000 }),
  d: fc.nat({ max: 1000 }),
  flag: fc.boolean(),
});

interface State {
  t: Tensor;
  nt: NT;
  /** does t still share storage with the root (false after a copying op)? */
  shared: boolean;
  log: string[];
}

const signed = (d: number, nd: number, neg: boolean): number => (neg ? d - nd : d);
const bound = (v: number, n: number, useNull: boolean): number | null => (useNull ? null : (v % (2 * n + 5)) - n - 2);

/** Apply one random view op to both the tensor and the naive model. */
function apply(st: State, s: Step): State {
  const { t, nt } = st;
  const nd = t.ndim;
  const log = (msg: string, out: Tensor, nout: NT, view: boolean): State => {
    if (view) expect(out.storage, `${msg} should be a view`).toBe(t.storage);
    else expect(out.storage, `${msg} should copy`).not.toBe(t.storage);
    return { t: out, nt: nout, shared: st.shared && view, log: [...st.log, msg] };
  };
  switch (s.op) {
    case 0:
    case 1: {
      const target = reshapeTarget(t.shape, s.a, s.b, s.c, s.flag);
      const ok = canView(t, target);
      if (s.op === 1) {
        if (!ok) {
          expect(() => t.view(target), `view(${target}) of shape ${t.shape} strides ${t.strides}`).toThrow(errors.ShapeError);
          expect(() => t.view(target)).toThrow(/reshape/);
          return st;
        }
        return log(`view(${target})`, t.view(target), N.reshape(nt, target), true);
      }
      return log(`reshape(${target})`, t.reshape(target), N.reshape(nt, target), ok);
    }
    case 2: {
      const perm = permFrom(nd, [s.a, s.b, s.c, s.d]);
      const dims = perm.map((p, i) => signed(p, nd, (s.d >> i) % 2 === 1));
      return log(`permute(${dims})`, t.permute(dims), N.permute(nt, perm), true);
    }
    case 3: {
      if (nd === 0) return st;
      const x = s.a % nd, y = s.b % nd;
      return log(`transpose(${x}, ${signed(y, nd, s.flag)})`, t.transpose(x, signed(y, nd, s.flag)), N.transpose(nt, x, y), true);
    }
    case 4: {
      if (nd >= 6) return st;
      const d = s.a % (nd + 1);
      return log(`unsqueeze(${signed(d, nd + 1, s.flag)})`, t.unsqueeze(signed(d, nd + 1, s.flag)), N.unsqueeze(nt, d), true);
    }
    case 5: {
      if (s.flag || nd === 0) return log('squeeze()', t.squeeze(), N.squeeze(nt, null), true);
      const d = s.a % nd;
      return log(`squeeze(${d})`, t.squeeze(d), N.squeeze(nt, d), true);
    }
    case 6: {
      const lead = s.flag ? [1 + (s.d % 3)] : [];
      const target = [...lead, ...t.shape.map((n, i) => (n === 1 ? 1 + ((s.a >> i) % 3) : n))];
      if (prod(target) > 300) return st;
      const arg = target.map((n, i) => (i >= lead.length && n === t.shape[i - lead.length] && (s.b >> i) % 2 === 1 ? -1 : n));
      return log(`expand(${arg})`, t.expand(arg), N.expand(nt, target), true);
    }
    case 7:
    case 8: {
      if (nd === 0) return st;
      const d = s.a % nd, n = t.shape[d]!;
      const start = bound(s.b, n, s.b % 5 === 0), stop = bound(s.c, n, s.c % 5 === 0), step = 1 + (s.d % 3);
      const want = N.slice(nt, d, start, stop, step);
      if (s.op === 7) return log(`slice(${d}, ${start}, ${stop}, ${step})`, t.slice(d, start, stop, step), want, true);
      const items = [...Array(d).fill(':'), `${start ?? ''}:${stop ?? ''}:${step}`];
      const out = s.flag ? t.get(items.join(', ')) : t.get(...items);
      return log(`get(${items.join(', ')})`, out, want, true);
    }
    case 9: {
      if (nd === 0) return st;
      const d = s.a % nd, n = t.shape[d]!;
      const start = n === 0 ? 0 : s.b % n, length = s.c % (n - start + 1);
      const sarg = s.flag && n > 0 ? start - n : start;
      return log(`narrow(${d}, ${sarg}, ${length})`, t.narrow(d, sarg, length), N.narrow(nt, d, start, length), true);
    }
    case 10: {
      if (nd === 0) return st;
      const d = s.a % nd, n = t.shape[d]!;
      if (n === 0) return st;
      const i = s.b % n;
      return log(`select(${d}, ${s.flag ? i - n : i})`, t.select(d, s.flag ? i - n : i), N.select(nt, d, i), true);
    }
    default: {
      const dims = [...Array(nd).keys()].filter((k) => (s.a >> k) % 2 === 1);
      // NOTE: torch.flip copies (it cannot be expressed with non-negative strides); so does ours.
      return log(`flip(${dims})`, t.flip(dims), N.flip(nt, dims), false);
    }
  }
}

const rootOf = (shape: readonly number[]): Tensor => arange(prod(shape), undefined, 1, { dtype: 'float32' }).reshape(shape.slice());

async function expectMatches(t: Tensor, nt: NT, what = ''): Promise<void> {
  expect(t.shape, `shape ${what}`).toEqual(nt.shape);
  expect(flat(await vals(t)), `values ${what}`).toEqual(nt.data);
}

async function runChain(shape: number[], steps: Step[]): Promise<State> {
  const root = rootOf(shape);
  let st: State = { t: root, nt: arangeNT(shape), shared: true, log: [] };
  for (const s of steps) {
    st = apply(st, s);
    await expectMatches(st.t, st.nt, st.log.join(' → '));
  }
  return st;
}

const chainArb = fc.tuple(shapeArb({ maxRank: 4, zero: true }), fc.array(stepArb, { maxLength: 6 }));

describeBackends('view chains vs the naive model', () => {
  test('values and shapes follow the naive model; views share storage', async () => {
    await fc.assert(
      fc.asyncProperty(chainArb, async ([shape, steps]) => {
        await runChain(shape, steps);
      }),
    );
  });

  test('writes through a view (set) are visible in the base', async () => {
    await fc.assert(
      fc.asyncProperty(chainArb, fc.boolean(), async ([shape, steps], scalar) => {
        const root = rootOf(shape);
        let st: State = { t: root, nt: arangeNT(shape), shared: true, log: [] };
        for (const s of steps) st = apply(st, s);
        if (!st.shared) return;
        expect(st.t.storage).toBe(root.storage);
        const expected = [...Array(prod(shape)).keys()];
        const unique = new Set(st.nt.data).size === st.nt.data.length;
        if (scalar || !unique) {
          st.t.set('...', -1);
          for (const k of st.nt.data) expected[k] = -1;
        } else {
          const vals = st.nt.data.map((_, i) => -1 - i);
          st.t.set('...', tensor(vals, { dtype: 'float32' }).reshape(st.t.shape));
          st.nt.data.forEach((k, i) => (expected[k] = vals[i]!));
        }
        expect(flat(await vals(root)), st.log.join(' → ')).toEqual(expected);
      }),
    );
  });

  test('contiguous() equals the view, is contiguous, and is a no-op on contiguous tensors', async () => {
    await fc.assert(
      fc.asyncProperty(chainArb, async ([shape, steps]) => {
        const { t, nt } = await runChain(shape, steps);
        const c = t.contiguous();
        expect(c.isContiguous()).toBe(true);
        expect(c.shape).toEqual(t.shape);
        expect(await vals(c)).toEqual(await vals(t));
        await expectMatches(c, nt);
        if (t.isContiguous()) expect(c).toBe(t);
        else {
          expect(c.storage).not.toBe(t.storage);
          expect(c.storageOffset()).toBe(0);
          expect(c.stride()).toEqual(rowMajorStrides(c.shape).map((s, d) => (c.shape[d] === 1 ? c.stride(d) : s)));
        }
      }),
    );
  });

  test('reshape round-trips (to 1-D and back, and through flatten)', async () => {
    await fc.assert(
      fc.asyncProperty(chainArb, async ([shape, steps]) => {
        const { t } = await runChain(shape, steps);
        const back = t.reshape(-1).reshape(t.shape);
        expect(back.shape).toEqual(t.shape);
        expect(await vals(back)).toEqual(await vals(t));
        expect(flat(await vals(t.flatten()))).toEqual(flat(await vals(t)));
        expect(t.flatten().shape).toEqual(t.ndim === 0 ? [1] : [t.numel()]);
      }),
    );
  });
});

describeBackends('viewStrides agrees with "a view exists"', () => {
  const caseArb = fc
    .tuple(shapeArb({ maxRank: 4, zero: true }), fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 4, maxLength: 4 }), fc.nat(), fc.nat(), fc.nat(), fc.boolean())
    .map(([shape, strides, a, b, c, flag]) => ({ shape, strides: strides.slice(0, shape.length), target: reshapeTarget(shape, a, b, c, flag).map((s) => (s === -1 ? prod(shape) / prod(reshapeTarget(shape, a, b, c, flag).filter((x) => x !== -1)) : s)) }));

  test('non-null exactly when some strides reproduce the element offsets, and those strides do', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ shape, strides, target }) => {
        const offs = elementOffsets(shape, strides);
        const oracle = affineStrides(offs, target);
        const got = viewStrides(shape, strides, target);
        expect(got !== null, `shape ${shape} strides ${strides} → ${target}: oracle ${oracle}`).toBe(oracle !== null);
        if (got) expect(elementOffsets(target, got)).toEqual(offs);
      }),
      { numRuns: 300 },
    );
  });

  test('contiguous tensors view as any shape of the same numel', async () => {
    await fc.assert(
      fc.asyncProperty(shapeArb({ zero: true }), fc.nat(), fc.nat(), fc.nat(), fc.boolean(), async (shape, a, b, c, flag) => {
        const target = reshapeTarget(shape, a, b, c, flag);
        const t = rootOf(shape);
        const v = t.view(target);
        expect(v.storage).toBe(t.storage);
        expect(v.isContiguous()).toBe(true);
        expect(flat(await vals(v))).toEqual(flat(await vals(t)));
      }),
    );
  });

  test('2-D transpose: view to the same shape works, flattening fails (torch semantics)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 2, max: 5 }), async (m, n) => {
        const tt = rootOf([m, n]).t();
        expect(() => tt.view(-1)).toThrow(errors.ShapeError);
        expect(() => tt.view(m * n)).toThrow(/Use \.reshape/);
        expect(tt.view(n, m).stride()).toEqual([1, n]);
        expect(tt.view(1, n, m).shape).toEqual([1, n, m]);
        expect(tt.view(n, 1, m).storage).toBe(tt.storage);
        expect(tt.reshape(-1).storage).not.toBe(tt.storage);
        // splitting a single dim of a non-contiguous tensor is still a view
        if (n % 4 === 0) expect(tt.view(2, n / 2, m).stride()).toEqual([n / 2, 1, n]);
        if (n % 2 === 0) expect(tt.view(2, n / 2, m).stride(0)).toBe(n / 2);
      }),
    );
  });

  test('column slices can flatten only when one column is selected', async () => {
    const x = rootOf([3, 4]);
    expect(await vals(x.get(':, 1:2').view(-1))).toEqual([1, 5, 9]);
    expect(() => x.get(':, 1:3').view(-1)).toThrow(errors.ShapeError);
    expect(await vals(x.get('1:3, :').view(-1))).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
    // an expanded tensor only views back to shapes that keep the broadcast dim separate
    const e = zeros([3, 1]).expand(3, 4);
    expect(e.view(3, 2, 2).stride()).toEqual([1, 0, 0]);
    expect(() => e.view(12)).toThrow(errors.ShapeError);
  });
});

describe('iterate (reference backend strided iterator)', () => {
  const iterArb = fc
    .tuple(shapeArb({ maxRank: 5, zero: true }), fc.integer({ min: 1, max: 3 }))
    .chain(([shape, k]) =>
      fc.tuple(
        fc.constant(shape),
        fc.array(fc.array(fc.integer({ min: -6, max: 6 }), { minLength: shape.length, maxLength: shape.length }), { minLength: k, maxLength: k }),
        fc.array(fc.integer({ min: 0, max: 100 }), { minLength: k, maxLength: k }),
      ),
    );

  test('visits numel elements with the offsets of a naive odometer, in row-major order', async () => {
    await fc.assert(
      fc.asyncProperty(iterArb, async ([shape, strides, offsets]) => {
        const seen: number[][] = strides.map(() => []);
        let count = 0;
        iterate(shape, strides, offsets, (offs, n, inner) => {
          expect(n).toBeGreaterThan(0);
          count += n;
          for (let j = 0; j < strides.length; j++) for (let i = 0; i < n; i++) seen[j]!.push(offs[j]! + i * inner[j]!);
        });
        expect(count).toBe(prod(shape));
        strides.forEach((s, j) => expect(seen[j], `operand ${j}`).toEqual(elementOffsets(shape, s, offsets[j])));
      }),
      { numRuns: 300 },
    );
  });

  test('does not mutate its inputs', async () => {
    const shape = [2, 3], strides = [[3, 1], [0, -1]], offs = [0, 5];
    iterate(shape, strides, offs, () => {});
    expect(shape).toEqual([2, 3]);
    expect(strides).toEqual([[3, 1], [0, -1]]);
    expect(offs).toEqual([0, 5]);
  });
});
