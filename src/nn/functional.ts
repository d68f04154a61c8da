// F: activations and losses (torch.nn.functional), each with torch's `reduction` and grad_fn name.
import { record1 } from '../autograd/node.js';
import { noGrad } from '../autograd/grad_mode.js';
import { DTypeError, ShapeError, fmtShape } from '../errors.js';
import { isFloating } from '../tensor/dtype.js';
import { bernoulliFill, type Generator } from '../tensor/random.js';
import { fromArray } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { where } from '../ops/elementwise.js';
import { conv2d as conv2dOp, type Conv2dOpts } from '../ops/linalg.js';

export type Reduction = 'mean' | 'sum' | 'none';
export interface LossOpts {
  reduction?: Reduction;
}

export const relu = (x: Tensor): Tensor => x.relu();
export const sigmoid = (x: Tensor): Tensor => x.sigmoid();
export const tanh = (x: Tensor): Tensor => x.tanh();
export const softmax = (x: Tensor, dim: number): Tensor => x.softmax(dim);
export const logSoftmax = (x: Tensor, dim: number): Tensor => x.logSoftmax(dim);
export const conv2d = (x: Tensor, w: Tensor, b: Tensor | null = null, opts: Conv2dOpts = {}): Tensor => conv2dOp(x, w, b, opts);
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  return where(x.gt(0), x, x.mul(negativeSlope));
}

/** F.linear: x @ W^T + b. */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  const y = x.matmul(weight.t());
  return bias ? y.add(bias) : y;
}

/** F.dropout: zero with probability p and scale by 1/(1-p) in training (torch's bernoulli draws). */
export function dropout(x: Tensor, p = 0.5, training = true, generator?: Generator): Tensor {
  if (p < 0 || p > 1) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
  if (!training || p === 0) return x;
  if (p === 1) return x.mul(0);
  const keep = new Float32Array(x.numel());
  bernoulliFill(keep, 1 - p, generator);
  const mask = fromArray(keep, x.shape, { device: x.device });
  return x.mul(mask).div(1 - p);
}

function reduce(l: Tensor, reduction: Reduction): Tensor {
  return reduction === 'none' ? l : reduction === 'sum' ? l.sum() : l.mean();
}

function sameShape(input: Tensor, target: Tensor, fn: string): void {
  if (input.ndim !== target.ndim || input.shape.some((s, i) => s !== target.shape[i]))
    throw new ShapeError(`${fn}: input shape ${fmtShape(input.shape)} and target shape ${fmtShape(target.shape)} differ; reshape one (e.g. target.view(-1, 1))`);
}

/** F.l1_loss: mean absolute error. */
export function l1Loss(input: Tensor, target: Tensor, opts: LossOpts = {}): Tensor {
  return reduce(input.sub(target).abs(), opts.reduction ?? 'mean');
}

/** F.mse_loss: mean squared error. */
export function mseLoss(input: Tensor, target: Tensor, opts: LossOpts = {}): Tensor {
  sameShape(input, target, 'mse_loss');
  const r = opts.reduction ?? 'mean';
  const d = noGrad(() => input.sub(target));
  const out = noGrad(() => reduce(d.mul(d), r));
  const n = input.numel();
  return record1('MseLossBackward0', [input, target], out, (g) => {
    const scale = r === 'mean' ? 2 / n : 2;
    const gd = input.sub(target).mul(g.mul(scale));
    return [gd, target.requiresGrad ? gd.neg() : null];
  });
}

export interface NllOpts extends LossOpts {
  weight?: Tensor;
  ignoreIndex?: number;
}

function checkClassification(input: Tensor, target: Tensor, fn: string): void {
  if (input.ndim < 1 || input.ndim > 2) throw new ShapeError(`${fn}: expected input of shape [N, C] or [C], got ${fmtShape(input.shape)}`);
  if (isFloating(target.dtype)) throw new DTypeError(`${fn}: expected an integer class-index target, got ${target.dtype} (for probabilities use binaryCrossEntropy)`);
  const n = input.ndim === 2 ? input.shape[0]! : 1;
  if (target.numel() !== n || target.ndim > 1)
    throw new ShapeError(`${fn}: expected target of shape [${n}] for input ${fmtShape(input.shape)}, got ${fmtShape(target.shape)}`);
}

/** F.nll_loss: -input[i, target[i]], averaged over non-ignored (weighted) targets. */
export function nllLoss(input: Tensor, target: Tensor, opts: NllOpts = {}): Tensor {
  checkClassification(input, target, 'nll_loss');
  const r = opts.reduction ?? 'mean';
  const ignore = opts.ignoreIndex ?? -100;
  const x = input.ndim === 1 ? input.unsqueeze(0) : input;
  const t = target.reshape([-1]).int();
  const C = x.shape[1]!;
  const valid = t.ne(ignore);
  const tc = where(valid, t, 0);
  const tv = tc.dataSync();
  for (const c of tv) if (c < 0 || c >= C) throw new ShapeError(`nll_loss: target ${c} is out of bounds for ${C} classes`);
  let w = valid.float();
  if (opts.weight) w = w.mul(opts.weight.gather(0, tc));
  const picked = noGrad(() => x.gather(1, tc.unsqueeze(1)).squeeze(1));
  const total = noGrad(() => w.sum());
  const per = noGrad(() => picked.mul(w).neg());
  const out = noGrad(() => (r === 'none' ? (input.ndim === 1 ? per.squeeze(0) : per) : r === 'sum' ? per.sum() : per.sum().div(total)));
  return record1('NllLossBackward0', [input], out, (g) => {
    let gw = r === 'none' ? (input.ndim === 1 ? g.unsqueeze(0) : g).mul(w) : r === 'sum' ? w.mul(g) : w.mul(g).div(total);
    gw = gw.neg().unsqueeze(1);
    const gx = x.zerosLike().scatterAdd(1, tc.unsqueeze(1), gw);
    return [input.ndim === 1 ? gx.squeeze(0) : gx];
  });
}

/** F.cross_entropy = nll_loss(log_softmax(input, 1), target). */
export function crossEntropy(input: Tensor, target: Tensor, opts: NllOpts = {}): Tensor {
  checkClassification(input, target, 'cross_entropy');
  return nllLoss(input.logSoftmax(-1), target, opts);
}

function clampLog(x: Tensor): Tensor {
  // NOTE: torch clamps log terms at -100 so a probability of exactly 0 or 1 gives a finite loss.
  return x.log().clamp(-100);
}

/** F.binary_cross_entropy on probabilities. */
export function binaryCrossEntropy(input: Tensor, target: Tensor, opts: LossOpts & { weight?: Tensor } = {}): Tensor {
  sameShape(input, target, 'binary_cross_entropy');
  const r = opts.reduction ?? 'mean';
  const per = noGrad(() => {
    let l = target.mul(clampLog(input)).add(target.neg().add(1).mul(clampLog(input.neg().add(1)))).neg();
    if (opts.weight) l = l.mul(opts.weight);
    return l;
  });
  const out = noGrad(() => reduce(per, r));
  const n = input.numel();
  return record1('BinaryCrossEntropyBackward0', [input, target], out, (g) => {
    const eps = 1e-12;
    const gs = r === 'mean' ? g.div(n) : g;
    let gi = input.sub(target).div(input.mul(input.neg().add(1)).clamp(eps));
    if (opts.weight) gi = gi.mul(opts.weight);
    // d/dtarget = log(1 - x) - log(x) (clamped like the forward), as torch 1.13
    let gt = target.requiresGrad ? clampLog(input.neg().add(1)).sub(clampLog(input)) : null;
    if (gt && opts.weight) gt = gt.mul(opts.weight);
    return [gi.mul(gs), gt ? gt.mul(gs) : null];
  });
}

/** F.binary_cross_entropy_with_logits (numerically stable). */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, opts: LossOpts & { posWeight?: Tensor } = {}): Tensor {
  sameShape(input, target, 'binary_cross_entropy_with_logits');
  const r = opts.reduction ?? 'mean';
  const per = noGrad(() => {
    // (1 - t) x + (1 + (pw - 1) t) * log(1 + exp(-x)), with log1p(exp(-|x|)) + max(-x, 0)
    const softplusNeg = input.abs().neg().exp().log1p().add(input.neg().clamp(0));
    const coef = opts.posWeight ? opts.posWeight.sub(1).mul(target).add(1) : null;
    return target.neg().add(1).mul(input).add(coef ? coef.mul(softplusNeg) : softplusNeg);
  });
  const out = noGrad(() => reduce(per, r));
  const n = input.numel();
  return record1('BinaryCrossEntropyWithLogitsBackward0', [input, target], out, (g) => {
    const s = input.sigmoid();
    const gs = r === 'mean' ? g.div(n) : g;
    const gi = opts.posWeight
      ? target.neg().add(1).sub(opts.posWeight.sub(1).mul(target).add(1).mul(s.neg().add(1)))
      : s.sub(target);
    // d/dtarget = -x + (posWeight - 1) * softplus(-x), as torch 1.13
    let gt: Tensor | null = null;
    if (target.requiresGrad) {
      gt = input.neg();
      if (opts.posWeight) gt = gt.add(opts.posWeight.sub(1).mul(input.abs().neg().exp().log1p().add(input.neg().clamp(0))));
    }
    return [gi.mul(gs), gt ? gt.mul(gs) : null];
  });
}
