// F.* losses and dropout against PyTorch 1.13 (golden: tools/golden/nn.py, groups "loss" and "dropout"):
// values, gradients w.r.t. input and target, grad_fn names; plus the errors a user hits first.
import { expect, it } from 'vitest';
import { F, Tensor, Generator, manualSeed, randn, tensor, ones, zeros, errors } from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { val, vals } from '../helpers/read.js';
import { casesOf, expectExact, expectNear, T } from './golden.js';

type LossFn = (x: Tensor, t: Tensor, o: Record<string, unknown>) => Tensor;
const FNS: Record<string, LossFn> = {
  l1_loss: F.l1Loss, mse_loss: F.mseLoss, nll_loss: F.nllLoss, cross_entropy: F.crossEntropy,
  binary_cross_entropy: F.binaryCrossEntropy, binary_cross_entropy_with_logits: F.binaryCrossEntropyWithLogits,
};

// grad_fn names that differ only by torch's C++ overload: ATen's composite cross_entropy divides by a C++
// double (div.Scalar → DivBackward1); from Python (and in fastgrad) tensor / number is DivBackward0.
const GRAD_FN_ALIASES: Record<string, string> = { DivBackward1: 'DivBackward0' };

function lossOpts(c: Record<string, any>): Record<string, unknown> {
  const o = c.opts;
  return {
    reduction: c.reduction,
    weight: o.weight ? T(o.weight) : undefined,
    posWeight: o.pos_weight ? T(o.pos_weight) : undefined,
    ignoreIndex: o.ignore_index,
    labelSmoothing: o.label_smoothing,
  };
}

describeBackends('F losses = torch.nn.functional', () => {
  it.each(casesOf('loss').map((c) => [`${c.fn} ${c.name}`, c] as const))('%s', async (_n, c) => {
    const x = T(c.input).requiresGrad_();
    const t = T(c.target);
    if (c.target_requires_grad) t.requiresGrad_();
    const out = FNS[c.fn]!(x, t, lossOpts(c));
    expect(out.gradFn?.name, 'grad_fn').toBe(GRAD_FN_ALIASES[c.grad_fn] ?? c.grad_fn);
    await expectNear(out, c.out, 'value');
    out.backward(c.gout ? T(c.gout) : undefined);
    await expectNear(x.grad!, c.grad_input, 'grad input');
    if (c.grad_target) await expectNear(t.grad!, c.grad_target, 'grad target');
  });

  it("the book's acts: crossEntropy = 1.8045, reduction 'none' = [0.5067, 0.6973, 2.0160, 5.6958, 0.9062, 1.0048]", async () => {
    manualSeed(42);
    const acts = randn([6, 2]).mul(2);
    const targ = tensor([0, 1, 0, 1, 1, 0]);
    expect(await val(F.crossEntropy(acts, targ))).toBeCloseTo(1.8045, 4);
    const none = (await vals(F.crossEntropy(acts, targ, { reduction: 'none' }))) as number[];
    [0.5067, 0.6973, 2.016, 5.6958, 0.9062, 1.0048].forEach((v, i) => expect(none[i]).toBeCloseTo(v, 4));
  });

  it('leakyRelu: values, LeakyReluBackward0, gradient negativeSlope below 0', async () => {
    const x = tensor([-2, 0, 3]).float().requiresGrad_();
    const y = F.leakyRelu(x, 0.1);
    expect(y.gradFn?.name).toBe('LeakyReluBackward0');
    await expectNear(y, { shape: [3], dtype: 'float32', data: [-0.2, 0, 3] }, 'leaky');
    y.sum().backward();
    await expectNear(x.grad!, { shape: [3], dtype: 'float32', data: [0.1, 0.1, 1] }, 'grad');
  });
});

describeBackends('F.dropout', () => {
  it.each(casesOf('dropout').map((c) => [c.name, c] as const))('reproduces torch\'s CPU mask: %s', async (_n, c) => {
    const x = T(c.input).requiresGrad_();
    manualSeed(c.seed);
    const y = F.dropout(x, c.p, true);
    await expectExact(y, c.out, 'output');
    expect(y.gradFn?.name).toBe(c.grad_fn);
    y.backward(T(c.gout));
    await expectExact(x.grad!, c.grad_input, 'grad');
    // an explicit generator gives the same mask
    await expectExact(F.dropout(T(c.input), c.p, true, new Generator(BigInt(c.seed))), c.out, 'output (generator)');
  });
  it('eval mode (training=false) and p=0 are the identity; p=1 zeros', async () => {
    const x = randn([4, 5]);
    expect(F.dropout(x, 0.5, false)).toBe(x);
    expect(F.dropout(x, 0, true)).toBe(x);
    expect(await val(F.dropout(x, 1, true).abs().sum())).toBe(0);
  });
  it('train mode: keeps about 1-p of the elements, scaled by 1/(1-p), so the mean is preserved', async () => {
    manualSeed(0);
    const x = ones([200000]);
    for (const p of [0.1, 0.5, 0.8]) {
      const y = F.dropout(x, p, true);
      const kept = await val(y.ne(0).float().mean());
      expect(Math.abs(kept - (1 - p))).toBeLessThan(0.005);
      expect(await val(y.max())).toBeCloseTo(1 / (1 - p), 5);
      expect(Math.abs((await val(y.mean())) - 1)).toBeLessThan(0.02);
    }
  });
  it('rejects p outside [0, 1] even in eval mode, naming p', () => {
    expect(() => F.dropout(ones([2]), 1.5, false)).toThrow(/between 0 and 1, but got 1.5/);
  });
});

describeBackends('loss errors name what is wrong', (device) => {
  it('crossEntropy with float class targets names the dtype and shape', () => {
    expect(() => F.crossEntropy(randn([4, 3]), tensor([0, 1, 2, 0]).float())).toThrow(errors.DTypeError);
    expect(() => F.crossEntropy(randn([4, 3]), tensor([0, 1, 2, 0]).float())).toThrow(/dtype float32 with shape \[4\]/);
  });
  it('crossEntropy / nllLoss with the wrong target length or an out-of-range class', () => {
    expect(() => F.crossEntropy(randn([4, 3]), tensor([0, 1, 2]))).toThrow(/expected target of shape \[4\] for input \[4, 3\], got \[3\]/);
    // found by the gather kernel, not by reading the targets (Note [Loss value checks]); the reference and
    // wasm kernels run when called, so the loss call throws
    expect(() => F.nllLoss(randn([2, 3]), tensor([0, 3]))).toThrow(errors.IndexError);
    expect(() => F.nllLoss(randn([2, 3]), tensor([0, 3]))).toThrow(/^nll_loss: target 3 is out of bounds for 3 classes/);
    expect(() => F.crossEntropy(randn([2, 3]), tensor([-1, 0]))).toThrow(/^cross_entropy: target -1 is out of bounds for 3 classes/);
    expect(() => F.nllLoss(randn([2, 3]), tensor([0, 5]), { weight: ones([3]) })).toThrow(/^nll_loss: target 5 is out of bounds/);
    expect(() => F.nllLoss(randn([2, 3]), tensor([-100, 2]))).not.toThrow(); // the ignore index
    expect(() => F.crossEntropy(randn([2, 3]), tensor([0, 1]), { weight: ones([2]) })).toThrow(/weight must have shape \[3\].*got \[2\]/);
  });
  it('mismatched shapes name both shapes (mse, l1, bce, bce with logits, probability targets)', () => {
    const a = randn([8, 1]), b = randn([8]);
    for (const f of [F.mseLoss, F.l1Loss, F.binaryCrossEntropyWithLogits])
      expect(() => f(a, b)).toThrow(/input shape \[8, 1\] and target shape \[8\] differ/);
    expect(() => F.binaryCrossEntropy(a.sigmoid(), b)).toThrow(errors.ShapeError);
    expect(() => F.crossEntropy(randn([2, 3]), randn([2, 4]))).toThrow(/input shape \[2, 3\] and target shape \[2, 4\] differ/);
  });
  it('binaryCrossEntropy outside [0, 1] says to apply sigmoid (torch: "all elements of input should be between 0 and 1")', () => {
    const bad = () => F.binaryCrossEntropy(tensor([0.5, 1.5]), tensor([0, 1]).float());
    // checked with a one-flag read where reads are synchronous; not checked on an async-only device
    if (device === 'cpu-async') expect(bad).not.toThrow();
    else expect(bad).toThrow(/between 0 and 1; apply sigmoid/);
  });
  it('an unknown reduction is rejected', () => {
    expect(() => F.mseLoss(zeros([2]), zeros([2]), { reduction: 'avg' as 'mean' })).toThrow(/reduction must be/);
  });
});
