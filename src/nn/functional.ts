// F: activations and losses (torch.nn.functional), each with torch's `reduction` and grad_fn name.
import '../ops/register.js'; // the Tensor methods' implementations (Note [Tensor impl] in tensor/impl.ts)
import { record1 } from '../autograd/node.js';
import { noGrad } from '../autograd/grad_mode.js';
import { ArgumentError, DTypeError, FastgradError, IndexError, ShapeError, fmtShape } from '../errors.js';
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

/** F.leaky_relu: x where x > 0, else negativeSlope·x (grad_fn LeakyReluBackward0). */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  const pos = noGrad(() => x.gt(0));
  const out = noGrad(() => where(pos, x, x.mul(negativeSlope)));
  return record1('LeakyReluBackward0', [x], out, (g) => [where(pos, g, g.mul(negativeSlope))], [], [pos]);
}

/** F.linear: x @ W^T + b. */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  const y = x.matmul(weight.t());
  return bias ? y.add(bias) : y;
}

/**
 * F.dropout: in training, zero each element with probability p and scale the rest by 1/(1-p); the identity
 * in eval mode. Reproduces torch's CPU masks bit for bit for the same seed: torch draws
 * `noise = empty_like(x).bernoulli_(1 - p)`, divides it by (1 - p) in float32 and returns `x * noise`
 * (grad_fn MulBackward0).
 */
export function dropout(x: Tensor, p = 0.5, training = true, generator?: Generator): Tensor {
  if (!(p >= 0 && p <= 1)) throw new ArgumentError(`dropout probability has to be between 0 and 1, but got ${p}`);
  if (!training || p === 0 || x.numel() === 0) return x;
  if (p === 1) return x.mul(0);
  const noise = x.dtype === 'float64' ? new Float64Array(x.numel()) : new Float32Array(x.numel());
  bernoulliFill(noise, 1 - p, generator);
  // NOTE: torch computes noise.div_(1 - p) in the tensor's dtype: 1 / fl32(1 - p), rounded to float32.
  const keep = x.dtype === 'float64' ? 1 / (1 - p) : Math.fround(1 / Math.fround(1 - p));
  for (let i = 0; i < noise.length; i++) noise[i] = noise[i] ? keep : 0;
  return x.mul(fromArray(noise, x.shape, { device: x.device }));
}

// Note [Loss value checks]: the training path never reads a tensor synchronously (DESIGN.md, Reads).
// - Class indices (nll_loss, cross_entropy) are not read at all: the gather kernel bounds-checks them;
//   cpu and wasm execute at once, so the loss call throws (renamed below to name the loss); a deferred
//   device reports it at its next read, as torch on CUDA reports a device-side assert later.
// - Probabilities in [0, 1] (binary_cross_entropy) have no kernel that checks them: they are checked
//   with a read of one flag only on backends with readSync (cpu, wasm), where work runs when dispatched
//   so the read stalls no queue and costs a few elementwise kernels; elsewhere they are not checked.
const readsSync = (t: Tensor): boolean => t.storage.backend.readSync !== undefined;

/** Run the gathers of a classification loss, naming the loss when a target is out of range. */
function withTargetCheck<T>(fn: string, C: number, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof IndexError)) throw e;
    const value = /index (-?\d+) is out of bounds/.exec(e.message)?.[1] ?? '?';
    throw new IndexError(`${fn}: target ${value} is out of bounds for ${C} classes (targets are class indices in [0, ${C}))`, { cause: e });
  }
}

function reduce(l: Tensor, reduction: Reduction): Tensor {
  return reduction === 'none' ? l : reduction === 'sum' ? l.sum() : l.mean();
}

function checkReduction(r: string, fn: string): void {
  if (r !== 'mean' && r !== 'sum' && r !== 'none') throw new FastgradError(`${fn}: reduction must be 'mean', 'sum' or 'none', got '${r}'`);
}

function sameShape(input: Tensor, target: Tensor, fn: string): void {
  if (input.ndim !== target.ndim || input.shape.some((s, i) => s !== target.shape[i]))
    throw new ShapeError(`${fn}: input shape ${fmtShape(input.shape)} and target shape ${fmtShape(target.shape)} differ; reshape one (e.g. target.view(-1, 1))`);
}

/** F.l1_loss: mean absolute error (grad_fn MeanBackward0 / SumBackward0 / AbsBackward0, as torch). */
export function l1Loss(input: Tensor, target: Tensor, opts: LossOpts = {}): Tensor {
  sameShape(input, target, 'l1_loss');
  const r = opts.reduction ?? 'mean';
  checkReduction(r, 'l1_loss');
  return reduce(input.sub(target).abs(), r);
}

/** F.mse_loss: mean squared error (grad_fn MseLossBackward0). */
export function mseLoss(input: Tensor, target: Tensor, opts: LossOpts = {}): Tensor {
  sameShape(input, target, 'mse_loss');
  const r = opts.reduction ?? 'mean';
  checkReduction(r, 'mse_loss');
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
  /** A rescaling weight per class, shape [C]. */
  weight?: Tensor;
  /** Targets equal to this are left out (and out of the mean's denominator); default -100. */
  ignoreIndex?: number;
}

export interface CrossEntropyOpts extends NllOpts {
  /** torch's label_smoothing in [0, 1]: mixes the target with the uniform distribution. */
  labelSmoothing?: number;
}

function checkClassification(input: Tensor, target: Tensor, fn: string, weight?: Tensor): void {
  if (input.ndim < 1 || input.ndim > 2) throw new ShapeError(`${fn}: expected input of shape [N, C] or [C], got ${fmtShape(input.shape)}`);
  if (isFloating(target.dtype) || target.dtype === 'bool')
    throw new DTypeError(
      `${fn}: expected an integer class-index target, got dtype ${target.dtype} with shape ${fmtShape(target.shape)} ` +
        `(convert with target.long(); for 0/1 labels with one output use binaryCrossEntropyWithLogits)`,
    );
  const n = input.ndim === 2 ? input.shape[0]! : 1;
  if (input.ndim === 1 ? target.ndim !== 0 : target.ndim !== 1 || target.shape[0] !== n)
    throw new ShapeError(`${fn}: expected target of shape ${input.ndim === 1 ? '[]' : `[${n}]`} for input ${fmtShape(input.shape)}, got ${fmtShape(target.shape)}`);
  const C = input.shape[input.ndim - 1]!;
  if (weight && (weight.ndim !== 1 || weight.shape[0] !== C))
    throw new ShapeError(`${fn}: weight must have shape [${C}] (one per class), got ${fmtShape(weight.shape)}`);
}

/** F.nll_loss: -input[i, target[i]]·weight[target[i]], averaged over the weights of non-ignored targets. */
export function nllLoss(input: Tensor, target: Tensor, opts: NllOpts = {}): Tensor {
  return nll(input, target, opts, 'nll_loss');
}

/** nll_loss; `fn` names the loss the user called in errors (cross_entropy calls it too). */
function nll(input: Tensor, target: Tensor, opts: NllOpts, fn: string): Tensor {
  checkClassification(input, target, fn, opts.weight);
  const r = opts.reduction ?? 'mean';
  checkReduction(r, fn);
  const ignore = opts.ignoreIndex ?? -100;
  const oneD = input.ndim === 1;
  const x = oneD ? noGrad(() => input.unsqueeze(0)) : input;
  const C = x.shape[1]!;
  const t = target.reshape([-1]).int();
  const valid = t.ne(ignore);
  const tc = where(valid, t, 0);
  // see Note [Loss value checks]: the gathers bounds-check the targets
  const [picked, wt] = withTargetCheck(fn, C, () => [
    noGrad(() => x.gather(1, tc.unsqueeze(1)).squeeze(1)),
    opts.weight ? opts.weight.detach().to(x.dtype).gather(0, tc) : null,
  ] as const);
  const w = noGrad(() => (wt ? where(valid, wt, 0) : valid.to(x.dtype)));
  const total = noGrad(() => w.sum());
  const per = noGrad(() => picked.mul(w).neg());
  const out = noGrad(() => (r === 'none' ? (oneD ? per.squeeze(0) : per) : r === 'sum' ? per.sum() : per.sum().div(total)));
  return record1('NllLossBackward0', [input], out, (g) => {
    const scale = r === 'none' ? (oneD ? g.unsqueeze(0) : g) : r === 'sum' ? g : g.div(total);
    // NOTE: ignored targets get an exact zero (also when every target is ignored and total is 0, as torch)
    const gw = where(valid, w.mul(scale), 0).neg().unsqueeze(1);
    const gx = x.zerosLike().scatterAdd(1, tc.unsqueeze(1), gw);
    return [oneD ? gx.squeeze(0) : gx];
  }, [], [x, tc, valid, w, total]);
}

/** cross_entropy with class probabilities as the target (same shape as the input), as torch ≥ 1.10. */
function crossEntropyProbs(input: Tensor, target: Tensor, opts: CrossEntropyOpts): Tensor {
  sameShape(input, target, 'cross_entropy (probability targets)');
  if (input.ndim < 1 || input.ndim > 2) throw new ShapeError(`cross_entropy: expected input of shape [N, C] or [C], got ${fmtShape(input.shape)}`);
  if ((opts.ignoreIndex ?? -100) >= 0) throw new FastgradError('cross_entropy: ignoreIndex is not supported for probability (floating point) targets');
  const r = opts.reduction ?? 'mean';
  checkReduction(r, 'cross_entropy');
  const dim = input.ndim - 1;
  const C = input.shape[dim]!;
  if (opts.weight && (opts.weight.ndim !== 1 || opts.weight.shape[0] !== C))
    throw new ShapeError(`cross_entropy: weight must have shape [${C}] (one per class), got ${fmtShape(opts.weight.shape)}`);
  const ls = opts.labelSmoothing ?? 0;
  const tg = ls > 0 ? target.mul(1 - ls).add(ls / C) : target;
  let prod = input.logSoftmax(dim).mul(tg);
  if (opts.weight) prod = prod.mul(opts.weight);
  if (r === 'none') return prod.sum(dim).neg();
  const s = prod.sum().neg();
  return r === 'sum' ? s : s.div(input.numel() / C);
}

/**
 * F.cross_entropy = nll_loss(log_softmax(input, 1), target) for class indices (grad_fn NllLossBackward0);
 * a floating target of the input's shape is read as class probabilities; `labelSmoothing` as torch.
 */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOpts = {}): Tensor {
  const ls = opts.labelSmoothing ?? 0;
  if (!(ls >= 0 && ls <= 1)) throw new ArgumentError(`cross_entropy: labelSmoothing must be between 0 and 1, got ${ls}`);
  if (isFloating(target.dtype) && target.ndim === input.ndim && target.ndim > 0) return crossEntropyProbs(input, target, opts);
  checkClassification(input, target, 'cross_entropy', opts.weight);
  const dim = input.ndim - 1;
  const logp = input.logSoftmax(dim);
  const nllOut = nll(logp, target, opts, 'cross_entropy');
  if (!ls) return nllOut;
  const r = opts.reduction ?? 'mean';
  const C = input.shape[dim]!;
  const ignored = target.eq(opts.ignoreIndex ?? -100);
  let smooth = (opts.weight ? logp.mul(opts.weight) : logp).sum(dim).neg();
  smooth = where(ignored, 0, smooth);
  let ret: Tensor;
  if (r === 'none') ret = smooth;
  else if (r === 'sum') ret = smooth.sum();
  else if (opts.weight) {
    // NOTE: torch normalises by the summed weights of the non-ignored targets (as nll_loss does)
    const tc = where(ignored, 0, target.int()).reshape([-1]);
    const wsum = where(ignored.reshape([-1]), 0, opts.weight.detach().gather(0, tc)).sum();
    ret = smooth.sum().div(wsum);
  } else ret = smooth.sum().div(ignored.logicalNot().sum()); // NOTE: torch divides by the non-ignored count
  return nllOut.mul(1 - ls).add(ret.mul(ls / C));
}

function clampLog(x: Tensor, oneMinus = false): Tensor {
  // NOTE: torch clamps log terms at -100 so a probability of exactly 0 or 1 gives a finite loss.
  return (oneMinus ? x.neg().log1p() : x.log()).clamp(-100);
}

export interface BceOpts extends LossOpts {
  /** Rescaling weight, broadcastable to the input. */
  weight?: Tensor;
}

/** F.binary_cross_entropy on probabilities in [0, 1] (grad_fn BinaryCrossEntropyBackward0). */
export function binaryCrossEntropy(input: Tensor, target: Tensor, opts: BceOpts = {}): Tensor {
  sameShape(input, target, 'binary_cross_entropy');
  const r = opts.reduction ?? 'mean';
  checkReduction(r, 'binary_cross_entropy');
  // see Note [Loss value checks]
  if (readsSync(input) && !noGrad(() => input.ge(0).logicalAnd(input.le(1)).all().item()))
    throw new FastgradError('binary_cross_entropy: all elements of input should be between 0 and 1; apply sigmoid first, or use binaryCrossEntropyWithLogits on raw outputs');
  const w = opts.weight?.detach();
  const per = noGrad(() => {
    // torch's CPU kernel: (t - 1)·max(log1p(-x), -100) - t·max(log(x), -100)
    const l = target.sub(1).mul(clampLog(input, true)).sub(target.mul(clampLog(input)));
    return w ? l.mul(w) : l;
  });
  const out = noGrad(() => reduce(per, r));
  const n = input.numel();
  return record1('BinaryCrossEntropyBackward0', [input, target], out, (g) => {
    const gs = r === 'mean' ? g.div(n) : g;
    // NOTE: torch divides by max((1 - x)·x, 1e-12) so x = 0 or 1 gives a finite gradient
    let gi = input.sub(target).div(input.neg().add(1).mul(input).clamp(1e-12));
    if (w) gi = gi.mul(w);
    // d/dtarget = -logit(x) = -log(x / (1 - x)), unclamped (±inf at 0 and 1), as torch 1.13
    let gt = target.requiresGrad ? input.div(input.neg().add(1)).log().neg() : null;
    if (gt && w) gt = gt.mul(w);
    return [gi.mul(gs), gt ? gt.mul(gs) : null];
  }, [], [w]);
}

export interface BceWithLogitsOpts extends BceOpts {
  /** Weight of the positive class, broadcastable to the input (one per class for multi-label). */
  posWeight?: Tensor;
}

/** F.binary_cross_entropy_with_logits: sigmoid + BCE in one numerically stable step. */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, opts: BceWithLogitsOpts = {}): Tensor {
  sameShape(input, target, 'binary_cross_entropy_with_logits');
  const r = opts.reduction ?? 'mean';
  checkReduction(r, 'binary_cross_entropy_with_logits');
  const w = opts.weight?.detach();
  const pw = opts.posWeight?.detach();
  const per = noGrad(() => {
    // torch 1.13: max_val = (-x).clamp_min(0); log(1 + e^-x) = log(e^-max_val + e^(-x - max_val)) + max_val
    const maxVal = input.neg().clamp(0);
    const lse = maxVal.neg().exp().add(input.neg().sub(maxVal).exp()).log().add(maxVal);
    const oneMinusTx = target.neg().add(1).mul(input);
    const l = pw ? oneMinusTx.add(pw.sub(1).mul(target).add(1).mul(lse)) : oneMinusTx.add(lse);
    return w ? l.mul(w) : l;
  });
  const out = noGrad(() => reduce(per, r));
  const n = input.numel();
  return record1('BinaryCrossEntropyWithLogitsBackward0', [input, target], out, (g) => {
    const gs = r === 'mean' ? g.div(n) : g;
    const s = input.sigmoid();
    let gi: Tensor;
    if (pw) {
      const t = pw.mul(target);
      gi = t.add(1).sub(target).mul(s).sub(t); // (pw·t + 1 - t)·σ(x) - pw·t
    } else gi = s.sub(target);
    if (w) gi = gi.mul(w);
    // d/dtarget = -x, or logσ(-x) - pw·logσ(x) with posWeight, as torch 1.13
    let gt: Tensor | null = null;
    if (target.requiresGrad) {
      gt = pw ? logSigmoid(input.neg()).sub(logSigmoid(input).mul(pw)) : input.neg();
      if (w) gt = gt.mul(w);
    }
    return [gi.mul(gs), gt ? gt.mul(gs) : null];
  }, [], [w, pw]);
}

/** F.logsigmoid, stable: min(x, 0) - log1p(e^-|x|). */
export function logSigmoid(x: Tensor): Tensor {
  return x.clamp(null, 0).sub(x.abs().neg().exp().log1p());
}
