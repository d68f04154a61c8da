// matmul in all of torch's forms (dot, mv, mm, bmm, broadcast batches) and conv2d, on the batched
// matmul / conv primitives.
import type { Conv2dParams } from '../backend/backend.js';
import { record1 } from '../autograd/node.js';
import { noGrad } from '../autograd/grad_mode.js';
import { ArgumentError, DTypeError, ShapeError, fmtShape } from '../errors.js';
import { isFloating } from '../tensor/dtype.js';
import { broadcastShapes, describeValue } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { emptyTensor, sameDevice, sumToShape } from './core.js';

function checkOperands(a: Tensor, b: Tensor, op: string): void {
  if (a.ndim === 0 || b.ndim === 0)
    throw new ShapeError(`${op}: both arguments need at least 1 dimension, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  sameDevice(op, a, b);
}

/** [B,M,K] x [B,K,N] on the primitive, no autograd. */
function bmmRaw(a3: Tensor, b3: Tensor): Tensor {
  const out = emptyTensor([a3.shape[0]!, a3.shape[1]!, b3.shape[2]!], a3.dtype, a3.storage.backend);
  a3.storage.backend.matmul(a3, b3, out);
  return out;
}

/** torch's grad_fn name for matmul of these ranks (it dispatches to dot/mv/mm/folded mm/bmm). */
function matmulName(a: readonly number[], b: readonly number[]): string {
  const na = a.length, nb = b.length;
  if (na === 1 && nb === 1) return 'DotBackward0';
  if (na === 2 && nb === 1) return 'MvBackward0';
  // NOTE: torch 1.13 computes 1-D @ 2-D as unsqueeze(0).mm().squeeze_(0): the in-place squeeze is SqueezeBackward3.
  if (na === 1 && nb === 2) return 'SqueezeBackward3';
  if (na === 2 && nb === 2) return 'MmBackward0';
  // 2-D @ batched: torch folds to (b^T @ a^T)^T and makes that contiguous (a copy unless a size is 1)
  if (na === 2 && nb >= 3) return a[0] === 1 || b[nb - 1] === 1 ? 'TransposeBackward0' : 'CloneBackward0';
  return 'UnsafeViewBackward0';
}

/** torch.matmul: dot, mv, mm and batched matmul with broadcast batch dims. Both operands must share a dtype, as in torch. */
export function matmul(a: Tensor, b: Tensor, name?: string): Tensor {
  checkOperands(a, b, 'matmul');
  if (a.dtype !== b.dtype)
    throw new DTypeError(
      `matmul: expected both operands to have the same dtype, got ${a.dtype} (shape ${fmtShape(a.shape)}) and ${b.dtype} (shape ${fmtShape(b.shape)}); cast one with .to()`,
    );
  const dtype = a.dtype;
  if (dtype === 'bool') throw new DTypeError('matmul: not implemented for bool tensors');
  const a2 = a.ndim === 1 ? a.unsqueeze(0) : a;
  const b2 = b.ndim === 1 ? b.unsqueeze(-1) : b;
  const [M, K] = a2.shape.slice(-2) as [number, number];
  const [K2, N] = b2.shape.slice(-2) as [number, number];
  if (K !== K2) {
    const what = a.ndim === 1 && b.ndim === 1 ? `inconsistent tensor size: ${fmtShape(a.shape)} and ${fmtShape(b.shape)}` : `mat1 and mat2 shapes cannot be multiplied (${M}x${K} and ${K2}x${N})`;
    throw new ShapeError(`matmul: ${what}; a has shape ${fmtShape(a.shape)}, b has shape ${fmtShape(b.shape)}`);
  }
  const batch = broadcastShapes(a2.shape.slice(0, -2), b2.shape.slice(0, -2), `matmul: batch dims of a ${fmtShape(a.shape)} and b ${fmtShape(b.shape)}`);
  const B = batch.reduce((p, s) => p * s, 1);
  const out = noGrad(() => {
    const a3 = a2.expand([...batch, M, K]).reshape([B, M, K]);
    const b3 = b2.expand([...batch, K, N]).reshape([B, K, N]);
    let r = bmmRaw(a3, b3).view([...batch, M, N]);
    if (a.ndim === 1) r = r.squeeze(-2);
    if (b.ndim === 1) r = r.squeeze(-1);
    return r;
  });
  if (!isFloating(dtype)) return out;
  return record1(name ?? matmulName(a.shape, b.shape), [a, b], out, (g, [xs, ys]) => {
    // restore the dims a 1-D operand lost, then the usual g @ b^T and a^T @ g, summed over broadcast batches
    const g2 = g.reshape([...batch, M, N]);
    const xa = xs!.ndim === 1 ? xs!.unsqueeze(0) : xs!;
    const yb = ys!.ndim === 1 ? ys!.unsqueeze(-1) : ys!;
    const ga = xs!.requiresGrad ? sumToShape(g2.matmul(yb.transpose(-1, -2)), xa.shape).reshape(xs!.shape) : null;
    const gb = ys!.requiresGrad ? sumToShape(xa.transpose(-1, -2).matmul(g2), yb.shape).reshape(ys!.shape) : null;
    return [ga, gb];
  }, [a, b]);
}

function strictDims(a: Tensor, b: Tensor, op: string, na: number, nb: number): void {
  if (a.ndim !== na || b.ndim !== nb)
    throw new ShapeError(`${op}: expected ${na}-D and ${nb}-D tensors, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
}

export function mm(a: Tensor, b: Tensor): Tensor {
  strictDims(a, b, 'mm', 2, 2);
  return matmul(a, b);
}
export function bmm(a: Tensor, b: Tensor): Tensor {
  strictDims(a, b, 'bmm', 3, 3);
  if (a.shape[0] !== b.shape[0]) throw new ShapeError(`bmm: batch sizes differ: ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  return matmul(a, b, 'BmmBackward0');
}
export function dot(a: Tensor, b: Tensor): Tensor {
  strictDims(a, b, 'dot', 1, 1);
  return matmul(a, b);
}
export function mv(a: Tensor, b: Tensor): Tensor {
  strictDims(a, b, 'mv', 2, 1);
  return matmul(a, b);
}

export interface Conv2dOpts {
  stride?: number | [number, number];
  padding?: number | [number, number];
  dilation?: number | [number, number];
  groups?: number;
}

/** A conv size argument (one int or a pair), checked: integers >= min. */
function pair(v: number | readonly number[] | undefined, def: number, arg: string, min: number): [number, number] {
  const pr = v === undefined ? [def, def] : typeof v === 'number' ? [v, v] : v;
  const ok = Array.isArray(pr) && pr.length === 2 && pr.every((k) => typeof k === 'number' && Number.isSafeInteger(k) && k >= min);
  if (!ok) throw new ArgumentError(`conv2d: ${arg} must be ${min > 0 ? 'a positive' : 'a non-negative'} integer or a pair of them, got ${describeValue(v)}`);
  return [pr[0]!, pr[1]!];
}

/** F.conv2d: NCHW input, [O, C/groups, KH, KW] weight, optional bias [O]. */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, opts: Conv2dOpts = {}): Tensor {
  const groups = opts.groups ?? 1;
  if (typeof groups !== 'number' || !Number.isSafeInteger(groups) || groups < 1) throw new ArgumentError(`conv2d: groups must be a positive integer, got ${describeValue(groups)}`);
  const p: Conv2dParams = { stride: pair(opts.stride, 1, 'stride', 1), padding: pair(opts.padding, 0, 'padding', 0), dilation: pair(opts.dilation, 1, 'dilation', 1), groups };
  const unbatched = x.ndim === 3;
  const xin = unbatched ? x.unsqueeze(0) : x;
  if (xin.ndim !== 4) throw new ShapeError(`conv2d: expected 3-D or 4-D input (N, C, H, W), got input of shape ${fmtShape(x.shape)}`);
  if (weight.ndim !== 4) throw new ShapeError(`conv2d: expected a 4-D weight (out_channels, in_channels/groups, kH, kW), got ${fmtShape(weight.shape)}`);
  const [N, C, H, W] = xin.shape as [number, number, number, number];
  const [O, Cg, KH, KW] = weight.shape as [number, number, number, number];
  if (C !== Cg * p.groups || O % p.groups !== 0)
    throw new ShapeError(
      `conv2d: Given groups=${p.groups}, weight of size ${fmtShape(weight.shape)}, expected input${fmtShape(x.shape)} to have ${Cg * p.groups} channels, but got ${C} channels instead`,
    );
  const OH = Math.floor((H + 2 * p.padding[0] - p.dilation[0] * (KH - 1) - 1) / p.stride[0]) + 1;
  const OW = Math.floor((W + 2 * p.padding[1] - p.dilation[1] * (KW - 1) - 1) / p.stride[1]) + 1;
  if (OH <= 0 || OW <= 0)
    throw new ShapeError(`conv2d: input ${fmtShape(x.shape)} (padded) is smaller than the kernel ${KH}x${KW}; output would be ${OH}x${OW}`);
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== O)) throw new ShapeError(`conv2d: bias must have shape [${O}], got ${fmtShape(bias.shape)}`);
  const dtype = xin.dtype;
  // NOTE: torch's CPU conv also takes int64 operands; fastgrad's conv primitive is floating point only.
  if (!isFloating(dtype) || !isFloating(weight.dtype))
    throw new DTypeError(`conv2d: expected floating point input and weight, got ${x.dtype} and ${weight.dtype} (shapes ${fmtShape(x.shape)} and ${fmtShape(weight.shape)}); call .float() first`);
  if (weight.dtype !== dtype || (bias && bias.dtype !== dtype))
    throw new DTypeError(
      `conv2d: input, weight and bias must share one dtype (as in torch), got input ${x.dtype} ${fmtShape(x.shape)}, weight ${weight.dtype} ${fmtShape(weight.shape)}` +
        (bias ? `, bias ${bias.dtype} ${fmtShape(bias.shape)}` : '') + '; cast with .to()',
    );
  const res = convForward(xin, weight, bias, p);
  return unbatched ? res.squeeze(0) : res;
}

/** conv2d on the primitive (bias added in place), ConvolutionBackward0. */
function convForward(x: Tensor, w: Tensor, bias: Tensor | null, p: Conv2dParams): Tensor {
  const [N, , H, W] = x.shape as [number, number, number, number];
  const [O, , KH, KW] = w.shape as [number, number, number, number];
  const OH = Math.floor((H + 2 * p.padding[0] - p.dilation[0] * (KH - 1) - 1) / p.stride[0]) + 1;
  const OW = Math.floor((W + 2 * p.padding[1] - p.dilation[1] * (KW - 1) - 1) / p.stride[1]) + 1;
  sameDevice('conv2d', x, w, bias);
  const be = x.storage.backend;
  const out = emptyTensor([N, O, OH, OW], x.dtype, be);
  be.conv2d(x, w, out, p);
  if (bias) noGrad(() => be.binary('add', out, { storage: bias.storage, shape: out.shape, strides: [0, bias.strides[0]!, 0, 0], offset: bias.offset }, out));
  // NOTE: the gradients are themselves (transposed) convolutions recorded as differentiable ops,
  // so double backward works: convInputGrad and convWeightGrad are each other's VJPs with convForward.
  return record1('ConvolutionBackward0', [x, w, bias], out, (g, [xs, ws]) => [
    xs!.requiresGrad ? convInputGrad(g, ws!, xs!.shape, p) : null,
    ws!.requiresGrad ? convWeightGrad(xs!, g, ws!.shape, p) : null,
    bias?.requiresGrad ? g.sum([0, 2, 3]) : null,
  ], [x, w]);
}

/** dL/dx of conv2d(x, w) for an output gradient g (a transposed convolution). */
function convInputGrad(g: Tensor, w: Tensor, xShape: readonly number[], p: Conv2dParams): Tensor {
  const gx = emptyTensor(xShape, g.dtype, g.storage.backend);
  g.storage.backend.conv2dBackwardInput(g.contiguous(), w, gx, p);
  return record1('ConvolutionBackwardBackward0', [g, w], gx, (u, [gs, ws]) => [
    gs!.requiresGrad ? convForward(u, ws!, null, p) : null,
    ws!.requiresGrad ? convWeightGrad(u, gs!, ws!.shape, p) : null,
  ], [g, w]);
}

/** dL/dw of conv2d(x, w) for an output gradient g. */
function convWeightGrad(x: Tensor, g: Tensor, wShape: readonly number[], p: Conv2dParams): Tensor {
  const gw = emptyTensor(wShape, g.dtype, g.storage.backend);
  g.storage.backend.conv2dBackwardWeight(x, g.contiguous(), gw, p);
  return record1('ConvolutionBackwardBackward0', [x, g], gw, (v, [xs, gs]) => [
    xs!.requiresGrad ? convInputGrad(gs!, v, xs!.shape, p) : null,
    gs!.requiresGrad ? convForward(xs!, v, null, p) : null,
  ], [x, g]);
}
