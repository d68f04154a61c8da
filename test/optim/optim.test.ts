// fastai's SGD and Adam (fastgrad's optim) against torch.optim and fastai's formulas written out in
// tools/golden/nn.py (group "optim"): parameters after each of 5 steps on a small MLP agree within 1e-6
// relative, both with torch's gradients fed in (the update rule alone) and end to end.
import { expect, it } from 'vitest';
import { F, Tensor, nn, optim, randn, tensor, zeros } from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { vals } from '../helpers/read.js';
import { T, casesOf, num, type TJ } from '../nn/golden.js';

const RTOL = 1e-6, ATOL = 1e-7;
const worst = { params: 0, grads: 0 };

/**
 * Elementwise |got - want| <= atol + rtol·|want|; also tracks the worst norm-wise relative difference
 * max|got - want| / max|want| per tensor (elementwise relative error is meaningless for a weight that
 * crosses zero: -3e-4 reached from 0.3 carries the rounding of 0.3).
 */
async function expectRel(got: Tensor, want: TJ, what: string, rtol = RTOL, atol = ATOL, kind: 'params' | 'grads' = 'params'): Promise<void> {
  const a = await got.dataAsync();
  const e = want.data.map(num);
  expect(a.length, what).toBe(e.length);
  let dmax = 0, emax = 0;
  for (let i = 0; i < e.length; i++) {
    const d = Math.abs(a[i]! - e[i]!);
    dmax = Math.max(dmax, d);
    emax = Math.max(emax, Math.abs(e[i]!));
    if (!(d <= atol + rtol * Math.abs(e[i]!))) expect.fail(`${what}[${i}]: got ${a[i]}, expected ${e[i]} (|diff| ${d.toExponential(2)})`);
  }
  worst[kind] = Math.max(worst[kind], dmax / emax);
}

function makeOpt(c: Record<string, any>, params: Tensor[]): optim.Optimizer {
  const ps: optim.ParamsArg = c.groups
    ? (c.groups as { params: number[]; lr?: number }[]).map((g) => ({ params: g.params.map((i) => params[i]!), ...(g.lr !== undefined ? { lr: g.lr } : {}) }))
    : params;
  return c.ctor === 'SGD' ? new optim.SGD(ps, c.opts) : new optim.Adam(ps, c.opts);
}

function makeModel(c: Record<string, any>): nn.Sequential {
  const m = new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU(), new nn.Linear(3, 1));
  m.loadStateDict(Object.fromEntries((c.param_names as string[]).map((k, i) => [k, T(c.init[i])])));
  return m;
}

const cases = casesOf('optim');

describeBackends('optimizer steps with torch\'s gradients fed in', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_n, c) => {
    const params = (c.init as TJ[]).map((j) => new nn.Parameter(T(j)));
    const opt = makeOpt(c, params);
    for (const [k, s] of (c.steps as { grads: TJ[]; params: TJ[] }[]).entries()) {
      params.forEach((p, i) => (p.grad = T(s.grads[i]!)));
      opt.step();
      for (const [i, p] of params.entries()) await expectRel(p, s.params[i]!, `step ${k + 1} ${c.param_names[i]}`);
    }
  });
});

describeBackends('training loop end to end (fastgrad forward/backward + step)', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_n, c) => {
    const model = makeModel(c);
    const x = T(c.x), y = T(c.y);
    const opt = makeOpt(c, model.parameters());
    for (const [k, s] of (c.steps as { loss: number; grads: TJ[]; params: TJ[] }[]).entries()) {
      opt.zeroGrad();
      const loss = F.mseLoss(model.call(x), y);
      expect(Math.abs((await loss.itemAsync()) - s.loss)).toBeLessThanOrEqual(1e-6 * Math.abs(s.loss));
      loss.backward();
      for (const [i, p] of model.parameters().entries()) await expectRel(p.grad!, s.grads[i]!, `step ${k + 1} grad ${c.param_names[i]}`, 1e-5, 1e-7, 'grads');
      opt.step();
      for (const [i, p] of model.parameters().entries()) await expectRel(p, s.params[i]!, `step ${k + 1} ${c.param_names[i]}`);
    }
  });
  it('reports the worst relative difference seen', () => {
    console.log(`optim: worst relative difference to torch/fastai: params ${worst.params.toExponential(2)}, grads ${worst.grads.toExponential(2)}`);
    expect(worst.params).toBeLessThan(RTOL);
  });
});

describeBackends('Optimizer protocol', () => {
  it('fastai defaults: Adam mom 0.9, sqrMom 0.99, eps 1e-5, wd 0.01 decoupled; SGD mom 0, wd 0', () => {
    const p = [new nn.Parameter(zeros([2]))];
    expect(new optim.Adam(p).paramGroups[0]!.hypers).toEqual({ lr: 1e-3, mom: 0.9, sqrMom: 0.99, eps: 1e-5, wd: 0.01, decoupleWd: true });
    expect(new optim.SGD(p, { lr: 0.1 }).paramGroups[0]!.hypers).toMatchObject({ lr: 0.1, mom: 0, wd: 0, decoupleWd: true });
    expect(optim.sgd({ mom: 0.9 })(p, 0.5).paramGroups[0]!.hypers).toMatchObject({ lr: 0.5, mom: 0.9 });
    expect(optim.adam()(p, 0.01).lr).toBe(0.01);
  });
  it('param groups take any hyper-parameter; setHyper sets all groups or one per group', () => {
    const a = new nn.Parameter(zeros([2])), b = new nn.Parameter(zeros([2]));
    const o = new optim.Adam([{ params: [a], lr: 0.1, mom: 0.8 }, { params: [b] }], { lr: 0.01 });
    expect(o.paramGroups.map((g) => [g.hypers.lr, g.hypers.mom])).toEqual([[0.1, 0.8], [0.01, 0.9]]);
    o.setHyper('lr', [1, 2]);
    expect(o.paramGroups.map((g) => g.hypers.lr)).toEqual([1, 2]);
    expect(o.lr).toBe(2);
    o.setHyper('wd', 0);
    expect(o.paramGroups.every((g) => g.hypers.wd === 0)).toBe(true);
    expect(o.params).toEqual([a, b]);
  });
  it('bad parameter lists are rejected clearly', () => {
    const a = new nn.Parameter(zeros([2]));
    expect(() => new optim.SGD([])).toThrow(/empty parameter list/);
    expect(() => new optim.SGD([{ params: [a] }, { params: [a] }])).toThrow(/more than one parameter group/);
    expect(() => new optim.SGD([a, { params: [a] }] as never)).toThrow(/not a mix/);
    expect(new optim.SGD([a, a]).params.length).toBe(1);
  });
  it('step skips parameters without a gradient; zeroGrad nulls or zeros grads', async () => {
    const a = new nn.Parameter(tensor([1, 2]).float()), b = new nn.Parameter(tensor([3]).float());
    const o = new optim.SGD([a, b], { lr: 0.5, mom: 0.9 });
    a.grad = tensor([1, 1]).float();
    o.step();
    expect(await vals(a)).toEqual([0.5, 1.5]);
    expect(await vals(b)).toEqual([3]);
    expect(o.state.has(b)).toBe(false);
    o.zeroGrad(false);
    expect(await vals(a.grad!)).toEqual([0, 0]);
    o.zeroGrad();
    expect(a.grad).toBeNull();
  });
  it('stateDict / loadStateDict restore hypers and state so a resumed run continues identically', async () => {
    const run = async (resume: boolean): Promise<number[]> => {
      const p = new nn.Parameter(tensor([1, -2, 3]).float());
      let o = new optim.Adam([p], { lr: 0.1 });
      for (let i = 0; i < 6; i++) {
        if (resume && i === 3) {
          const sd = o.stateDict();
          o = new optim.Adam([p], { lr: 0.5 });
          o.loadStateDict(sd);
        }
        p.grad = p.mul(p).add(1);
        o.step();
      }
      return (await vals(p)) as number[];
    };
    expect(await run(true)).toEqual(await run(false));
    const o = new optim.SGD([new nn.Parameter(zeros([1]))]);
    expect(() => o.loadStateDict({ groups: [], state: [] })).toThrow(/0 param groups, this optimizer has 1/);
  });
  it('the optimizer updates in place without recording a graph', () => {
    const m = new nn.Linear(3, 1);
    const o = new optim.Adam(m.parameters(), { lr: 0.01 });
    m.call(randn([5, 3])).sum().backward();
    o.step();
    expect(m.weight.isLeaf).toBe(true);
    expect(m.weight.gradFn).toBeNull();
  });
});
