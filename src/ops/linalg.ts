// matmul in all of torch's forms (dot, mv, mm, bmm, broadcast batches) and conv2d, on the batched
// matmul / conv primitives.
import type { Conv2dParams } from '../backend/backend.js';
import { record1 } from '../autograd/node.js';
import { noGrad } from '../autograd/grad_mode.js';
import { DTypeError, ShapeError, fmtShape } from '../errors.js';
import { isFloating, promoteTypes } from '../tensor/dtype.js';
import { broadcastShapes } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { castTo, emptyTensor, sumToShape } from './core.js';

function checkOperands(a: Tensor, b: Tensor, op: string): void {
  if (a.ndim === 0 || b.ndim === 0)
    throw new ShapeError(`${op}: both arguments need at least 1 dimension, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  if (a.storage.backend !== b.storage.backend) throw new ShapeError(`${op}: tensors are on different devices ('${a.device}' and '${b.device}')`);
}

/** [B,M,K] x [B,K,N] on the primitive, no autograd. */
function bmmRaw(a3: Tensor, b3: Tensor): Tensor {
  const out = emptyTensor([a3.shape[0]!, a3.shape[1]!, b3.shape[2]!], a3.dtype, a3.storage.backend);
  a3.storage.backend.matmul(a3, b3, out);
  return out;
}

/** torch.matmul. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkOperands(a, b, 'matmul');
  const dtype = promoteTypes(a.dtype, b.dtype);
  if (dtype === 'bool') throw new DTypeError('matmul: not implemented for bool tensors');
  const x = castTo(a, dtype), y = castTo(b, dtype);
  const a2 = x.ndim === 1 ? x.unsqueeze(0) : x;
  const b2 = y.ndim === 1 ? y.unsqueeze(-1) : y;
  const [M, K] = a2.shape.slice(-2) as [number, number];
  const [K2, N] = b2.shape.slice(-2) as [number, number];
  if (K !== K2) {
    const what = a.ndim === 1 && b.ndim === 1 ? `inconsistent tensor size: ${fmtShape(a.shape)} and ${fmtShape(b.shape)}` : `mat1 and mat2 shapes cannot be multiplied (${M}x${K} and ${K2}x${N})`;
    throw new ShapeError(`matmul: ${what}; a has shape ${fmtShape(a.shape)}, b has shape ${fmtShape(b.shape)}`);
  }
  const batch = broadcastShapes(a2.shape.slice(0, -2), b2.shape.slice(0, -2), 'matmul: batch dims');
  const B = batch.reduce((p, s) => p * s, 1);
  const out = noGrad(() => {
    const a3 = a2.expand([...batch, M, K]).reshape([B, M, K]);
    const b3 = b2.expand([...batch, K, N]).reshape([B, K, N]);
    let r = bmmRaw(a3, b3).view([...batch, M, N]);
    if (a.ndim === 1) r = r.squeeze(-2);
    if (b.ndim === 1) r = r.squeeze(-1);
    return r;
  });
  const name =
    a.ndim === 1 && b.ndim === 1 ? 'DotBackward0'
    : a.ndim === 2 && b.ndim === 2 ? 'MmBackward0'
    : a.ndim === 2 && b.ndim === 1 ? 'MvBackward0'
    : a.ndim === 1 && b.ndim === 2 ? 'SqueezeBackward1'
    : a.ndim === 3 && b.ndim === 3 && a.shape[0] === b.shape[0] ? 'BmmBackward0'
    : 'UnsafeViewBackward0';
  if (!isFloating(dtype)) return out;
  return record1(name, [x, y], out, (g, [xs, ys]) => {
    let g2 = g;
    if (a.ndim === 1) g2 = g2.unsqueeze(-2);
    if (b.ndim === 1) g2 = g2.unsqueeze(-1);
    const xa = xs!.ndim === 1 ? xs!.unsqueeze(0) : xs!;
    const yb = ys!.ndim === 1 ? ys!.unsqueeze(-1) : ys!;
    const ga = xs!.requiresGrad ? sumToShape(g2.matmul(yb.transpose(-1, -2)), xa.shape).reshape(xs!.shape) : null;
    const gb = ys!.requiresGrad ? sumToShape(xa.transpose(-1, -2).matmul(g2), yb.shape).reshape(ys!.shape) : null;
    return [ga, gb];
  }, [x, y]);
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
  return matmul(a, b);
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

const pair = (v: number | [number, number] | undefined, def: number): [number, number] =>
  v === undefined ? [def, def] : typeof v === 'number' ? [v, v] : v;

/** F.conv2d: NCHW input, [O, C/groups, KH, KW] weight, optional bias [O]. */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, opts: Conv2dOpts = {}): Tensor {
  const p: Conv2dParams = { stride: pair(opts.stride, 1), padding: pair(opts.padding, 0), dilation: pair(opts.dilation, 1), groups: opts.groups ?? 1 };
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
  const dtype = promoteTypes(xin.dtype, weight.dtype);
  if (!isFloating(dtype)) throw new DTypeError(`conv2d: expected floating point input and weight, got ${x.dtype} and ${weight.dtype}`);
  const xi = castTo(xin, dtype), w = castTo(weight, dtype);
  const be = x.storage.backend;
  const out = emptyTensor([N, O, OH, OW], dtype, be);
  be.conv2d(xi, w, out, p);
  let res = out;
  if (bias) noGrad(() => be.binary('add', out, { storage: bias.storage, shape: out.shape, strides: [0, bias.strides[0]!, 0, 0], offset: bias.offset }, out));
  res = record1('ConvolutionBackward0', [xi, w, bias], res, (g, [xs, ws]) => {
    const gc = g.contiguous();
    let gx: Tensor | null = null, gw: Tensor | null = null;
    if (xs!.requiresGrad) {
      gx = emptyTensor(xs!.shape, dtype, be);
      be.conv2dBackwardInput(gc, ws!, gx, p);
    }
    if (ws!.requiresGrad) {
      gw = emptyTensor(ws!.shape, dtype, be);
      be.conv2dBackwardWeight(xs!, gc, gw, p);
    }
    return [gx, gw, bias?.requiresGrad ? g.sum([0, 2, 3]) : null];
  }, [xi, w]);
  return unbatched ? res.squeeze(0) : res;
}
