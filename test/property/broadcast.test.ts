// Property tests for broadcasting and reductions against the naive model in ./naive.ts: binary ops on
// random broadcast-compatible shape pairs (contiguous and strided operands), broadcastShapes, the
// errors for incompatible pairs, sum over random dims (keepdim or not), and the broadcasting backward.
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { Tensor, errors, fromArray, where } from '../../src/index.js';
import { broadcastShapes } from '../../src/tensor/shape.js';
import { fmtShape } from '../../src/errors.js';
import { describeBackends } from '../helpers/backends.js';
import { vals } from '../helpers/read.js';
import { N, type NT, flat, permFrom, prod, shapeArb } from './naive.js';

fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 42), numRuns: Number(process.env.FC_RUNS ?? 100) });

/** Two shapes that broadcast: suffixes of one output shape with some dims set to 1. */
const compatiblePair = shapeArb({ maxRank: 4, zero: true }).chain((out) =>
  fc
    .tuple(
      fc.nat({ max: out.length }),
      fc.nat({ max: out.length }),
      fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
      fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
    )
    .map(([la, lb, oa, ob]) => {
      const a = out.slice(out.length - la).map((s, i) => (oa[i] ? 1 : s));
      const b = out.slice(out.length - lb).map((s, i) => (ob[i] ? 1 : s));
      return { a, b };
    }),
);

/** Two shapes that do not broadcast: some aligned dim differs with neither side 1. */
const incompatiblePair = fc
  .tuple(shapeArb({ maxRank: 3 }), shapeArb({ maxRank: 2 }), shapeArb({ maxRank: 2 }), fc.integer({ min: 2, max: 4 }), fc.integer({ min: 1, max: 3 }))
  .map(([common, pa, pb, x, dx]) => ({ a: [...pa, x, ...common], b: [...pb, x + dx, ...common] }));

/** Small integer values (exact in float32 sums), optionally laid out non-contiguously. */
const valuesFor = (shape: readonly number[]): fc.Arbitrary<{ nt: NT; perm: number[] }> =>
  fc.tuple(fc.array(fc.integer({ min: -9, max: 9 }), { minLength: prod(shape), maxLength: prod(shape) }), fc.array(fc.nat(), { maxLength: 4 })).map(([data, seeds]) => ({
    nt: { shape: shape.slice(), data },
    perm: permFrom(shape.length, seeds),
  }));

/** A tensor equal to nt whose storage is laid out in `perm` order (so its strides are permuted). */
function tensorOf(nt: NT, perm: readonly number[], dtype: 'float32' | 'int32' = 'float32'): Tensor {
  const permuted = N.permute(nt, perm);
  const arr = dtype === 'float32' ? Float32Array.from(permuted.data) : Int32Array.from(permuted.data);
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  const t = fromArray(arr, permuted.shape).permute(inv);
  expect(t.shape).toEqual(nt.shape);
  return t;
}

const operands = compatiblePair.chain(({ a, b }) => fc.tuple(valuesFor(a), valuesFor(b)));

describeBackends('broadcasting binary ops', () => {
  test('broadcastShapes matches numpy rules and is commutative', async () => {
    await fc.assert(
      fc.asyncProperty(compatiblePair, async ({ a, b }) => {
        const ab = broadcastShapes(a, b), ba = broadcastShapes(b, a);
        expect(ab).toEqual(ba);
        expect(ab).toEqual(N.broadcastShapes(a, b));
        expect(broadcastShapes(ab, a)).toEqual(ab); // the result absorbs each operand
      }),
    );
  });

  test('add/mul/sub/maximum equal the naive broadcast (strided operands too)', async () => {
    await fc.assert(
      fc.asyncProperty(operands, async ([x, y]) => {
        const a = tensorOf(x.nt, x.perm), b = tensorOf(y.nt, y.perm);
        const cases: [Tensor, (p: number, q: number) => number][] = [
          [a.add(b), (p, q) => p + q],
          [b.add(a), (p, q) => p + q],
          [a.mul(b), (p, q) => p * q],
          [a.sub(b), (p, q) => p - q],
          [a.maximum(b), (p, q) => Math.max(p, q)],
        ];
        for (const [got, f] of cases) {
          const want = N.binary(x.nt, y.nt, f);
          expect(got.shape).toEqual(want.shape);
          expect(flat(await vals(got)).map((v) => v + 0)).toEqual(want.data.map((v) => v + 0));
        }
        // comparisons broadcast to bool
        const lt = a.lt(b);
        expect(lt.dtype).toBe('bool');
        expect(flat(await vals(lt))).toEqual(N.binary(x.nt, y.nt, (p, q) => (p < q ? 1 : 0)).data);
      }),
    );
  });

  test('int32 operands broadcast and promote with float ones', async () => {
    await fc.assert(
      fc.asyncProperty(operands, async ([x, y]) => {
        const a = tensorOf(x.nt, x.perm, 'int32'), b = tensorOf(y.nt, y.perm, 'float32');
        const s = a.add(b);
        expect(s.dtype).toBe('float32');
        expect(flat(await vals(s))).toEqual(N.binary(x.nt, y.nt, (p, q) => p + q).data);
        const ii = a.mul(tensorOf(y.nt, y.perm, 'int32'));
        expect(ii.dtype).toBe('int32');
        expect(flat(await vals(ii)).map((v) => v + 0)).toEqual(N.binary(x.nt, y.nt, (p, q) => p * q + 0).data);
      }),
    );
  });

  test('where(cond, a, b) broadcasts all three', async () => {
    await fc.assert(
      fc.asyncProperty(operands, async ([x, y]) => {
        const a = tensorOf(x.nt, x.perm), b = tensorOf(y.nt, y.perm);
        const cond = a.gt(0);
        const got = where(cond, a, b);
        const want = N.binary(x.nt, y.nt, (p, q) => (p > 0 ? p : q));
        expect(got.shape).toEqual(want.shape);
        expect(flat(await vals(got))).toEqual(want.data);
      }),
    );
  });

  test('expand / broadcastTo equal the naive broadcast and share storage', async () => {
    await fc.assert(
      fc.asyncProperty(operands, async ([x, y]) => {
        const a = tensorOf(x.nt, x.perm);
        const shape = broadcastShapes(x.nt.shape, y.nt.shape);
        const e = a.broadcastTo(shape);
        expect(e.storage).toBe(a.storage);
        expect(e.shape).toEqual(shape);
        expect(flat(await vals(e))).toEqual(N.expand(x.nt, shape).data);
        // broadcast dims have stride 0
        const lead = shape.length - a.ndim;
        shape.forEach((s, i) => {
          if (i < lead || (a.shape[i - lead] === 1 && s !== 1)) expect(e.stride(i)).toBe(0);
        });
      }),
    );
  });

  test('backward of a broadcast op sums the gradient over the broadcast dims', async () => {
    await fc.assert(
      fc.asyncProperty(operands, async ([x, y]) => {
        const a = tensorOf(x.nt, x.perm).requiresGrad_(), b = tensorOf(y.nt, y.perm).requiresGrad_();
        a.mul(b).sum().backward();
        const shape = N.broadcastShapes(x.nt.shape, y.nt.shape)!;
        // d(sum(a*b))/da = sum of b over the dims a was broadcast along
        const reduceTo = (g: NT, target: readonly number[]): NT => {
          const lead = g.shape.length - target.length;
          const dims = g.shape.map((_, i) => i).filter((i) => i < lead || (target[i - lead] === 1 && g.shape[i] !== 1));
          const s = N.sum(g, dims, true);
          return { shape: target.slice(), data: s.data };
        };
        const ga = reduceTo(N.expand(y.nt, shape), x.nt.shape), gb = reduceTo(N.expand(x.nt, shape), y.nt.shape);
        expect(a.grad!.shape).toEqual(x.nt.shape);
        expect(b.grad!.shape).toEqual(y.nt.shape);
        expect(flat(await vals(a.grad!)).map((v) => v + 0)).toEqual(ga.data.map((v) => v + 0));
        expect(flat(await vals(b.grad!)).map((v) => v + 0)).toEqual(gb.data.map((v) => v + 0));
      }),
    );
  });

  test('incompatible shapes throw a ShapeError naming both shapes', async () => {
    await fc.assert(
      fc.asyncProperty(incompatiblePair, fc.boolean(), async ({ a, b }, swap) => {
        const [p, q] = swap ? [b, a] : [a, b];
        expect(N.broadcastShapes(p, q)).toBeNull();
        const both = new RegExp(`${esc(fmtShape(p))}.*${esc(fmtShape(q))}`);
        expect(() => broadcastShapes(p, q)).toThrow(errors.ShapeError);
        expect(() => broadcastShapes(p, q)).toThrow(both);
        const tp = tensorOf({ shape: p, data: new Array(prod(p)).fill(1) }, p.map((_, i) => i));
        const tq = tensorOf({ shape: q, data: new Array(prod(q)).fill(2) }, q.map((_, i) => i));
        for (const f of [() => tp.add(tq), () => tp.mul(tq), () => tp.lt(tq), () => where(tp.gt(0), tp, tq)]) {
          expect(f).toThrow(errors.ShapeError);
          expect(f).toThrow(both);
        }
        expect(() => tp.expand(q)).toThrow(errors.ShapeError);
      }),
    );
  });
});

const esc = (s: string): string => s.replace(/[[\]]/g, '\\$&');

describeBackends('reductions over random dims', () => {
  const sumCase = shapeArb({ maxRank: 4, zero: true }).chain((shape) =>
    fc.tuple(valuesFor(shape), fc.subarray([...shape.keys()]), fc.boolean(), fc.array(fc.boolean(), { minLength: 4, maxLength: 4 })),
  );

  test('sum(dims, keepdim) equals the naive sum (negative dims, strided input)', async () => {
    await fc.assert(
      fc.asyncProperty(sumCase, async ([{ nt, perm }, dims, keepdim, negs]) => {
        const t = tensorOf(nt, perm);
        const arg = dims.map((d, i) => (negs[i] ? d - nt.shape.length : d));
        const got = dims.length === 0 ? t.sum(null, keepdim) : t.sum(arg, keepdim);
        const all = dims.length === 0 ? [...nt.shape.keys()] : dims;
        const want = N.sum(nt, all, keepdim);
        if (dims.length === 0 && !keepdim) expect(got.shape).toEqual([]);
        else expect(got.shape).toEqual(want.shape);
        expect(flat(await vals(got)).map((v) => v + 0)).toEqual(want.data.map((v) => v + 0));
        // keepdim=true output broadcasts back against the input
        if (keepdim) expect(t.sub(got).shape).toEqual(nt.shape);
      }),
    );
  });

  test('int sums stay integral; mean = sum / count on floats', async () => {
    await fc.assert(
      fc.asyncProperty(sumCase, async ([{ nt, perm }, dims, keepdim]) => {
        if (dims.length === 0) return;
        const ti = tensorOf(nt, perm, 'int32');
        const s = ti.sum(dims, keepdim);
        expect(s.dtype).toBe('int32');
        expect(flat(await vals(s)).map((v) => v + 0)).toEqual(N.sum(nt, dims, keepdim).data.map((v) => v + 0));
        const count = dims.reduce((c, d) => c * nt.shape[d]!, 1);
        const m = tensorOf(nt, perm).mean(dims, keepdim);
        const want = N.sum(nt, dims, keepdim).data.map((v) => v / count);
        flat(await vals(m)).forEach((v, i) => {
          if (Number.isNaN(want[i]!)) expect(v).toBeNaN();
          else expect(v).toBeCloseTo(want[i]!, 5);
        });
      }),
    );
  });
});
