// PyTorch golden tests for the reduction family (src/ops/reduce.ts): sum/mean/prod/amax/amin/max/min
// (dims, keepdim, ties), argmax/argmin, var/std, cumsum, logsumexp, softmax/logSoftmax, all/any, norm,
// and the book's vectors (randn acts, sigmoid/softmax, mnist_loss, cross-entropy rows).
// Data: /usr/bin/python3 tools/golden/ops_elementwise.py (writes test/golden/ops_elementwise.json).
import { describe, expect, it } from 'vitest';
import { Tensor, arange, manualSeed, randn, tensor, where } from '../../src/index.js';
import { READS_SYNC, describeBackends } from '../helpers/backends.js';
import { type GoldenCase, type OpFn, T, buildArgs, expectTensor, loadCases, registerCases } from './golden_cases.js';

const vi = (r: { values: Tensor; indices: Tensor }): Tensor[] => [r.values, r.indices];

const REDUCE_OPS: Record<string, OpFn> = {
  sum: ([x], kw) => T(x!).sum(kw.dim, kw.keepdim ?? false, kw.dtype ? { dtype: kw.dtype } : undefined),
  mean: ([x], kw) => T(x!).mean(kw.dim, kw.keepdim ?? false),
  prod: ([x], kw) => T(x!).prod(kw.dim, kw.keepdim ?? false),
  amax: ([x], kw) => T(x!).amax(kw.dim, kw.keepdim ?? false),
  amin: ([x], kw) => T(x!).amin(kw.dim, kw.keepdim ?? false),
  max: ([x], kw) => (kw.dim === undefined ? T(x!).max() : vi(T(x!).max(kw.dim, kw.keepdim ?? false))),
  min: ([x], kw) => (kw.dim === undefined ? T(x!).min() : vi(T(x!).min(kw.dim, kw.keepdim ?? false))),
  argmax: ([x], kw) => T(x!).argmax(kw.dim ?? null, kw.keepdim ?? false),
  argmin: ([x], kw) => T(x!).argmin(kw.dim ?? null, kw.keepdim ?? false),
  var: ([x], kw) => T(x!).var(kw.dim, { unbiased: kw.unbiased, correction: kw.correction, keepdim: kw.keepdim }),
  std: ([x], kw) => T(x!).std(kw.dim, { unbiased: kw.unbiased, correction: kw.correction, keepdim: kw.keepdim }),
  cumsum: ([x], kw) => T(x!).cumsum(kw.dim, kw.dtype ? { dtype: kw.dtype } : undefined),
  logsumexp: ([x], kw) => T(x!).logsumexp(kw.dim, kw.keepdim ?? false),
  softmax: ([x], kw) => T(x!).softmax(kw.dim),
  log_softmax: ([x], kw) => T(x!).logSoftmax(kw.dim),
  all: ([x], kw) => T(x!).all(kw.dim, kw.keepdim ?? false),
  any: ([x], kw) => T(x!).any(kw.dim, kw.keepdim ?? false),
  norm: ([x], kw) => T(x!).norm(kw.p === 'inf' ? Infinity : kw.p ?? 2, kw.dim, kw.keepdim ?? false),
  // ---- book ----
  randn_scaled: (_a, kw) => {
    manualSeed(kw.seed);
    return randn(kw.shape).mul(kw.scale);
  },
  sigmoid: ([x]) => T(x!).sigmoid(),
  softmax_pick: ([a, t]) => T(a!).softmax(1).get(arange(6), T(t!)),
  cross_entropy_rows: ([a, t]) => T(a!).logSoftmax(1).get(arange(6), T(t!)).neg(),
  cross_entropy_mean: ([a, t]) => T(a!).logSoftmax(1).get(arange(6), T(t!)).neg().mean(),
  mnist_where: ([t, p]) => where(T(t!).eq(1), T(p!).rsub(1), T(p!)),
  mnist_loss: ([t, p]) => where(T(t!).eq(1), T(p!).rsub(1), T(p!)).mean(),
  pow: ([x, e]) => T(x!).pow(e!),
  pow_sum: ([x]) => T(x!).pow(2).sum(),
};

const all = loadCases();
const cases = all.filter((c) => c.family === 'reduce');
const book = all.filter((c) => c.family === 'book');

describeBackends('reductions vs PyTorch 1.13', () => {
  const ops = [...new Set(cases.map((c) => c.op))];
  for (const op of ops) describe(op, () => registerCases(cases.filter((c) => c.op === op), REDUCE_OPS));
}, { skip: { 'cpu-async': READS_SYNC } });

/** Round half away from zero to 4 decimals, as the book's printed values are. */
const r4 = (v: number): number => Math.round(v * 1e4) / 1e4;

describeBackends('book vectors (BOOK-VECTORS.md) vs PyTorch 1.13', () => {
  registerCases(book, REDUCE_OPS);
  const byName = (p: string): GoldenCase => book.find((c) => c.name.startsWith(p))!;
  it('randn with seed 42 reproduces the book\'s acts bit for bit', () => {
    const c = byName('book: torch.manual_seed(42)');
    const acts = REDUCE_OPS.randn_scaled!([], c.kwargs) as Tensor;
    expect(Array.from(acts.dataSync())).toEqual(c.out && !Array.isArray(c.out) ? c.out.data : null);
    expect((acts.tolist() as number[][]).map((r) => r.map(r4))).toEqual(c.printed);
  });
  it.each([
    ['book: acts.sigmoid()', 'printed'],
    ['book: sm_acts[range(6), targ]', 'printed'],
    ['book: F.cross_entropy(acts, targ, reduction', 'printed'],
  ])('%s matches the printed values', (name, key) => {
    const c = byName(name);
    const { values } = buildArgs(c);
    const out = REDUCE_OPS[c.op]!(values, c.kwargs) as Tensor;
    const printed = c[key] as number[] | number[][];
    expect(JSON.stringify(flatR4(out.tolist()))).toBe(JSON.stringify(printed.flat()));
  });
  it('softmax(acts, 1)[:, 0] matches the printed values', () => {
    const c = byName('book: torch.softmax(acts');
    const { values } = buildArgs(c);
    const sm = REDUCE_OPS.softmax!(values, c.kwargs) as Tensor;
    expect(flatR4(sm.get(':', 0).tolist())).toEqual(c.printed_col0);
  });
  it('cross-entropy mean is 1.8045 and agrees with F.cross_entropy', () => {
    const c = byName('book: F.cross_entropy(acts, targ) =');
    const { values } = buildArgs(c);
    const v = (REDUCE_OPS.cross_entropy_mean!(values, c.kwargs) as Tensor).item();
    expect(r4(v)).toBe(c.printed);
    expect(Math.abs(v - (c.check as number))).toBeLessThan(1e-6);
  });
  it.each(book.filter((c) => c.op === 'mnist_loss').map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const { values } = buildArgs(c);
    expect(r4((REDUCE_OPS.mnist_loss!(values, c.kwargs) as Tensor).item())).toBe(c.printed);
  });
  it('autograd: f(x)=x**2 at 3 is 9 with grad 6; (x**2).sum() at [3, 4, 10] is 125 with grad [6, 8, 20]', () => {
    const x = tensor(3, { requiresGrad: true });
    const y = x.pow(2);
    expect([y.item(), y.gradFn?.name]).toEqual([9, 'PowBackward0']);
    y.backward();
    expect(x.grad!.item()).toBe(6);
    const v = tensor([3, 4, 10], { requiresGrad: true });
    const s = v.pow(2).sum();
    s.backward();
    expect([s.item(), v.grad!.tolist()]).toEqual([125, [6, 8, 20]]);
  });
  it('the softmax outputs are the golden tensors', () => {
    const c = byName('book: torch.softmax(acts');
    const { values } = buildArgs(c);
    expectTensor(REDUCE_OPS.softmax!(values, c.kwargs) as Tensor, c.out as never, 'softmax');
  });
}, { skip: { 'cpu-async': READS_SYNC } });

function flatR4(x: unknown): number[] {
  return Array.isArray(x) ? x.flatMap(flatR4) : [r4(x as number)];
}
