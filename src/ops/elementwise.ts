// Elementwise ops: unary, binary with broadcasting and type promotion, where, clamp (the in-place
// machinery is in inplace.ts). Each op's forward (one backend primitive) and backward rule sit side by side.
import type { BinaryOp, UnaryOp, View } from '../backend/backend.js';
import { needsGrad, record, record1 } from '../autograd/node.js';
import { DTypeError, FastgradError, ZeroDivisionError, fmtShape } from '../errors.js';
import { type DType, castScalar, isFloating, resultType } from '../tensor/dtype.js';
import { broadcastShapes, broadcastStrides } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { type Scalar, type TensorLike, castTo, copyRaw, emptyTensor, sameDevice, sumToShape, toNumber } from './core.js';

const LN2 = Math.LN2;

/** Unary ops that always produce floats (int inputs are promoted to float32, like torch). */
const FLOAT_UNARY: ReadonlySet<UnaryOp> = new Set<UnaryOp>([
  'exp', 'log', 'sqrt', 'rsqrt', 'sigmoid', 'tanh', 'sin', 'cos', 'tan', 'reciprocal', 'expm1', 'log1p',
  'log2', 'exp2', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'erf',
]);

type UnaryGrad = (g: Tensor, x: Tensor, y: Tensor) => Tensor;
/** Backward rule and PyTorch grad_fn name per unary op (null rule: zero gradient almost everywhere). */
const UNARY_GRAD: Record<UnaryOp, [string, UnaryGrad | null]> = {
  neg: ['NegBackward0', (g) => g.neg()],
  abs: ['AbsBackward0', (g, x) => g.mul(x.sign())],
  exp: ['ExpBackward0', (g, _x, y) => g.mul(y)],
  log: ['LogBackward0', (g, x) => g.div(x)],
  sqrt: ['SqrtBackward0', (g, _x, y) => g.div(y.mul(2))],
  rsqrt: ['RsqrtBackward0', (g, _x, y) => g.mul(y.pow(3)).mul(-0.5)],
  sigmoid: ['SigmoidBackward0', (g, _x, y) => g.mul(y.mul(y.neg().add(1)))],
  tanh: ['TanhBackward0', (g, _x, y) => g.mul(y.mul(y).neg().add(1))],
  // NOTE: torch's threshold_backward: 0 where the result <= 0 (so at exactly 0), else the gradient (also at NaN).
  relu: ['ReluBackward0', (g, _x, y) => where(y.le(0), 0, g)],
  sin: ['SinBackward0', (g, x) => g.mul(x.cos())],
  cos: ['CosBackward0', (g, x) => g.mul(x.sin().neg())],
  tan: ['TanBackward0', (g, _x, y) => g.mul(y.mul(y).add(1))],
  floor: ['FloorBackward0', null],
  ceil: ['CeilBackward0', null],
  round: ['RoundBackward0', null],
  trunc: ['TruncBackward0', null],
  sign: ['SignBackward0', null],
  frac: ['FracBackward0', (g) => g],
  reciprocal: ['ReciprocalBackward0', (g, _x, y) => g.mul(y.mul(y)).neg()],
  expm1: ['Expm1Backward0', (g, _x, y) => g.mul(y.add(1))],
  log1p: ['Log1PBackward0', (g, x) => g.div(x.add(1))],
  log2: ['Log2Backward0', (g, x) => g.div(x.mul(LN2))],
  exp2: ['Exp2Backward0', (g, _x, y) => g.mul(y.mul(LN2))],
  square: ['PowBackward0', (g, x) => g.mul(x.mul(2))],
  asin: ['AsinBackward0', (g, x) => g.div(x.mul(x).neg().add(1).sqrt())],
  acos: ['AcosBackward0', (g, x) => g.div(x.mul(x).neg().add(1).sqrt()).neg()],
  atan: ['AtanBackward0', (g, x) => g.div(x.mul(x).add(1))],
  sinh: ['SinhBackward0', (g, x) => g.mul(x.cosh())],
  cosh: ['CoshBackward0', (g, x) => g.mul(x.sinh())],
  erf: ['ErfBackward0', (g, x) => g.mul(x.mul(x).neg().exp().mul(2 / Math.sqrt(Math.PI)))],
  logicalNot: ['', null],
  isnan: ['', null],
};

export function unary(op: UnaryOp, x: Tensor): Tensor {
  let dtype: DType = x.dtype;
  if (op === 'logicalNot' || op === 'isnan') dtype = 'bool';
  else if (FLOAT_UNARY.has(op) && !isFloating(dtype)) dtype = 'float32';
  else if (dtype === 'bool') {
    if (op === 'neg') throw new DTypeError('neg: negation, the `-` operator, on a bool tensor is not supported; use logicalNot()');
    // NOTE: torch keeps sign() bool, squares bools to its default int, and implements nothing else for bool.
    if (op === 'square') dtype = 'int32';
    else if (op !== 'sign') throw new DTypeError(`${op}: not implemented for bool tensors (got a bool tensor of shape ${fmtShape(x.shape)}); convert with .int() or .float() first`);
  } else if (op === 'frac' && !isFloating(dtype))
    throw new DTypeError(`frac: not implemented for ${dtype} tensors (shape ${fmtShape(x.shape)}); integers have no fractional part, convert with .float() first`);
  const src = isFloating(dtype) && !isFloating(x.dtype) ? castTo(x, dtype) : x;
  const out = emptyTensor(x.shape, dtype, x.storage.backend);
  x.storage.backend.unary(op, src, out);
  const [name, rule] = UNARY_GRAD[op];
  if (!isFloating(dtype) || !needsGrad([src])) return out;
  return record1(name, [src], out, (g, [xs, y]) => [rule ? rule(g, xs!, y!) : g.mul(0)], [src, out]);
}

/** Broadcast view of t onto shape (no copy). */
export function bview(t: Tensor, shape: readonly number[], what: string): View {
  return { storage: t.storage, shape, strides: broadcastStrides(t.shape, t.strides, shape, what), offset: t.offset };
}


const COMPARE: ReadonlySet<BinaryOp> = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr', 'logicalXor']);

/** The raw binary primitive: promotion, broadcasting, casting; no autograd. */
function binaryRaw(op: BinaryOp, a: Tensor | number, b: Tensor | number, compute: DType, outDtype: DType): Tensor {
  const ta = a instanceof Tensor ? a : null, tb = b instanceof Tensor ? b : null;
  const ref = (ta ?? tb)!;
  if (ta && tb && ta.storage.backend !== tb.storage.backend) sameDevice(op, ta, tb);
  const shape = ta && tb ? broadcastShapes(ta.shape, tb.shape, `${op}: operands`) : ref.shape;
  const out = emptyTensor(shape, outDtype, ref.storage.backend);
  const av = ta ? bview(ta, shape, op) : castScalar(a as number, compute);
  const bv = tb ? bview(tb, shape, op) : castScalar(b as number, compute);
  ref.storage.backend.binary(op, av, bv, out);
  return out;
}

function prep(x: TensorLike, dtype: DType): Tensor | number {
  return x instanceof Tensor ? castTo(x, dtype) : toNumber(x);
}

type BinaryGrad = (g: Tensor, a: Tensor | number, b: Tensor | number, out: Tensor) => [Tensor | null, Tensor | null];

const BINARY_GRAD: Partial<Record<BinaryOp, [string, BinaryGrad]>> = {
  add: ['AddBackward0', (g) => [g, g]],
  sub: ['SubBackward0', (g) => [g, g.neg()]],
  mul: ['MulBackward0', (g, a, b) => [g.mul(b), g.mul(a)]],
  div: ['DivBackward0', (g, a, b) => [g.div(b), b instanceof Tensor ? g.mul(a).div(b.mul(b)).neg() : null]],
  maximum: ['MaximumBackward0', (g, a, b) => minmaxGrad(g, a as Tensor, b as Tensor, 'gt')],
  minimum: ['MinimumBackward0', (g, a, b) => minmaxGrad(g, a as Tensor, b as Tensor, 'lt')],
  remainder: ['RemainderBackward1', (g, a, b) => [g, b instanceof Tensor ? g.mul(binaryRaw('floorDivide', a, b, b.dtype, b.dtype)).neg() : null]],
  atan2: ['Atan2Backward0', (g, a, b) => {
    const d = (a as Tensor).square().add((b as Tensor).square());
    return [g.mul(b).div(d), g.mul(a).div(d).neg()];
  }],
  pow: ['PowBackward1', (g, a, b, out) => {
    // NOTE: as torch, a zero exponent gives a zero base gradient (not 0 * 0^-1 = nan).
    if (!(b instanceof Tensor)) return [b === 0 ? g.mul(0) : g.mul(b).mul((a as Tensor).pow(b - 1)), null];
    // NOTE: torch masks the exponent gradient where base == 0 and exponent >= 0 (log(0) would give nan).
    if (!(a instanceof Tensor)) return [null, a === 0 ? g.mul(where(b.ge(0), 0, out.mul(-Infinity))) : g.mul(out).mul(Math.log(a))];
    const ga = g.mul(where(b.eq(0), 0, b.mul(a.pow(b.sub(1)))));
    const gb = g.mul(out).mul(where(a.eq(0).logicalAnd(b.ge(0)), 0, a.log()));
    return [ga, gb];
  }],
};

/** torch: ties split the gradient; the losing side gets 0; with a NaN (no order) both sides get it all. */
function minmaxGrad(g: Tensor, a: Tensor, b: Tensor, win: 'gt' | 'lt'): [Tensor, Tensor] {
  const lose = win === 'gt' ? 'lt' : 'gt';
  const tie = a.eq(b);
  const half = g.div(2);
  const ga = where(tie, half, where(a[lose](b), 0, g));
  const gb = where(tie, half, where(b[lose](a), 0, g));
  return [ga, gb];
}

function gradName(op: BinaryOp, a: TensorLike, b: TensorLike): string {
  if (op === 'pow') return a instanceof Tensor ? (b instanceof Tensor ? 'PowBackward1' : 'PowBackward0') : 'PowBackward2';
  if (op === 'sub' && !(a instanceof Tensor)) return 'RsubBackward1';
  if (op === 'remainder' && !(b instanceof Tensor)) return 'RemainderBackward0';
  return BINARY_GRAD[op]![0];
}

export interface BinaryOpts {
  /** the grad_fn name to record instead of the op's own (rsub, div with a rounding mode) */
  gradFn?: string;
}

const operandOf = (x: TensorLike): { dtype: DType; ndim: number } | Scalar => (x instanceof Tensor ? { dtype: x.dtype, ndim: x.ndim } : x);

/**
 * The common cases of resultType without building its operand list: two tensors of one float dtype, or
 * a float tensor and a number (a Python scalar never promotes a float tensor). Null: ask resultType.
 */
function sameFloatType(a: TensorLike, b: TensorLike): DType | null {
  const ta = a instanceof Tensor ? a : null, tb = b instanceof Tensor ? b : null;
  const d = (ta ?? tb)!.dtype;
  if (d !== 'float32' && d !== 'float64') return null;
  if (ta && tb) return tb.dtype === d ? d : null;
  return typeof (ta ? b : a) === 'number' ? d : null;
}

/** A differentiable binary op with torch's promotion: `add(a, b)`, `lt(a, 2)`, `sub(1, t)`. */
export function binary(op: BinaryOp, a: TensorLike, b: TensorLike, opts: BinaryOpts = {}): Tensor {
  if (!(a instanceof Tensor) && !(b instanceof Tensor)) throw new DTypeError(`${op}: at least one operand must be a Tensor`);
  let compute = sameFloatType(a, b) ?? resultType([operandOf(a), operandOf(b)]);
  let outDtype = compute;
  if (COMPARE.has(op)) outDtype = 'bool';
  else if (op === 'div' && !isFloating(compute)) compute = outDtype = 'float32';
  else if (op === 'atan2' && !isFloating(compute)) compute = outDtype = 'float32';
  else if (op === 'sub' && [a, b].some((x) => (x instanceof Tensor ? x.dtype === 'bool' : typeof x === 'boolean')))
    throw new DTypeError(
      compute === 'bool'
        ? 'sub: subtraction, the `-` operator, with two bool tensors is not supported; use logicalXor()'
        : `sub: subtraction, the \`-\` operator, with a bool tensor is not supported (got ${describe(a)} and ${describe(b)}); to invert a mask use logicalNot()`,
    );
  else if (op.startsWith('bitwise') && isFloating(compute))
    throw new DTypeError(`${op}: not implemented for float dtypes (got ${describe(a)} and ${describe(b)})`);
  else if ((op === 'remainder' || op === 'floorDivide') && compute === 'bool')
    throw new DTypeError(`${op}: not implemented for bool tensors (got ${describe(a)} and ${describe(b)}); convert with .int() first`);
  else if (op === 'pow' && compute === 'bool')
    throw new DTypeError(`pow: not implemented for bool tensors (got ${describe(a)} and ${describe(b)}); convert with .int() or .float() first`);
  else if (op === 'pow' && !isFloating(compute) && typeof b === 'number' && b < 0)
    throw new DTypeError(`pow: integers to negative integer powers are not allowed (got ${describe(a)} and exponent ${b}); use a float tensor`);
  // NOTE: on bools torch's add is logical or and mul is logical and (results stay 0/1).
  let prim = op;
  if (compute === 'bool' && op === 'add') prim = 'logicalOr';
  if (compute === 'bool' && op === 'mul') prim = 'logicalAnd';
  const pa = prep(a, compute), pb = prep(b, compute);
  const out = binaryRaw(prim, pa, pb, compute, outDtype);
  const spec = BINARY_GRAD[op];
  const ta = pa instanceof Tensor ? pa : null, tb = pb instanceof Tensor ? pb : null;
  if (!spec || !isFloating(outDtype) || !needsGrad([ta, tb])) return out;
  // NOTE: torch has no derivative for remainder(scalar, tensor) (NotImplemented); fastgrad records none.
  if (op === 'remainder' && !ta) return out;
  const inputs = [ta, tb].filter((t): t is Tensor => t !== null);
  return record(opts.gradFn ?? gradName(op, a, b), inputs, out, ([g], saved) => {
    let k = 0;
    const sa = ta ? saved[k++]! : (pa as number);
    const sb = tb ? saved[k++]! : (pb as number);
    // NOTE: pow's rule reads its result; it is saved (version-checked), not captured.
    const [ga, gbr] = spec[1](g!, sa, sb, op === 'pow' ? saved[k]! : out);
    const res: (Tensor | null)[] = [];
    if (ta) res.push(ga && ta.requiresGrad ? sumToShape(ga, ta.shape) : null);
    if (tb) res.push(gbr && tb.requiresGrad ? sumToShape(gbr, tb.shape) : null);
    return res;
  }, op === 'add' || op === 'sub' ? [] : op === 'pow' ? [...inputs, out] : inputs);
}

/** torch.isinf: false everywhere for integer and bool tensors. */
export function isinf(x: Tensor): Tensor {
  return isFloating(x.dtype) ? x.abs().eq(Infinity) : binaryRaw('ne', x, x, x.dtype, 'bool');
}

/** torch.add / torch.sub with `alpha` (other is scaled first); alpha must be integral for integral inputs. */
export function addSub(op: 'add' | 'sub', a: Tensor, b: TensorLike, alpha?: number): Tensor {
  return binary(op, a, scaleAlpha(op, a, b, alpha));
}

/** torch.rsub(x, other, alpha): other - alpha * x (RsubBackward0 / RsubBackward1). */
export function rsub(x: Tensor, other: TensorLike, alpha?: number): Tensor {
  const gradFn = other instanceof Tensor ? 'RsubBackward0' : 'RsubBackward1';
  return binary('sub', other, scaleAlpha('rsub', x, other, alpha) as Tensor, { gradFn });
}

/**
 * torch.div(a, b, rounding_mode): 'floor' is Python's `//` (floor_divide), 'trunc' rounds toward zero.
 * The result keeps the promoted dtype (ints stay ints; integer division by zero throws) and is
 * piecewise constant, so its gradient is zero (DivBackward2, as torch).
 */
export function divRounding(a: Tensor, b: TensorLike, mode: 'floor' | 'trunc'): Tensor {
  const operands = [a, b].map((x) => (x instanceof Tensor ? { dtype: x.dtype, ndim: x.ndim } : x));
  const compute = resultType(operands as ({ dtype: DType; ndim: number } | Scalar)[]);
  if (compute === 'bool')
    throw new DTypeError(`div(rounding_mode='${mode}'): not implemented for bool tensors (got ${describe(a)} and ${describe(b)}); convert with .int() first`);
  const pa = castTo(a, compute), pb = prep(b, compute);
  if (typeof pb === 'number' && !isFloating(compute) && pb === 0) throw new ZeroDivisionError('ZeroDivisionError: integer division by zero');
  let out: Tensor;
  if (mode === 'floor') out = binaryRaw('floorDivide', pa, pb, compute, compute);
  else if (isFloating(compute)) {
    const q = binaryRaw('div', pa, pb, compute, compute);
    out = emptyTensor(q.shape, compute, q.storage.backend);
    q.storage.backend.unary('trunc', q, out);
  } else {
    // NOTE: exact integer trunc division from the floor kernels: floor(a/b) + 1 where the signs differ and b ∤ a.
    const q = binaryRaw('floorDivide', pa, pb, compute, compute);
    const r = binaryRaw('remainder', pa, pb, compute, compute);
    const neg = binaryRaw('logicalXor', binaryRaw('lt', pa, 0, compute, 'bool'), typeof pb === 'number' ? (pb < 0 ? 1 : 0) : binaryRaw('lt', pb, 0, compute, 'bool'), 'bool', 'bool');
    const fix = binaryRaw('logicalAnd', neg, binaryRaw('ne', r, 0, compute, 'bool'), 'bool', 'bool');
    out = binaryRaw('add', q, copyRaw(fix, compute), compute, compute);
  }
  const tb = pb instanceof Tensor ? pb : null;
  if (!isFloating(compute) || !needsGrad([pa, tb])) return out;
  return record('DivBackward2', tb ? [pa, tb] : [pa], out, ([g]) => [
    pa.requiresGrad ? sumToShape(g!.zerosLike(), pa.shape) : null,
    ...(tb ? [tb.requiresGrad ? sumToShape(g!.zerosLike(), tb.shape) : null] : []),
  ]);
}

function scaleAlpha(op: string, a: Tensor, b: TensorLike, alpha: number | undefined): TensorLike {
  if (alpha === undefined || alpha === 1) return op === 'rsub' ? a : b;
  const operands = [a, b].map((x) => (x instanceof Tensor ? { dtype: x.dtype, ndim: x.ndim } : x));
  if (!isFloating(resultType(operands as ({ dtype: DType; ndim: number } | Scalar)[])) && !Number.isInteger(alpha))
    throw new DTypeError(`${op}: for integral input tensors, argument alpha must not be a floating point number (got alpha=${alpha} with ${describe(a)} and ${describe(b)})`);
  const scaled = op === 'rsub' ? a : b;
  return scaled instanceof Tensor ? scaled.mul(alpha) : toNumber(scaled) * alpha;
}

function describe(x: TensorLike): string {
  return x instanceof Tensor ? `${x.dtype} tensor of shape ${fmtShape(x.shape)}` : `scalar ${x}`;
}

/** torch.where(cond, a, b): broadcasting, promotion between a and b, gradient to a and b. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  if (cond.dtype !== 'bool' && cond.dtype !== 'uint8')
    throw new DTypeError(`where: condition must be a bool tensor, got ${cond.dtype} (use a comparison such as x.gt(0))`);
  const operands = [a, b].map((x) => (x instanceof Tensor ? { dtype: x.dtype, ndim: x.ndim } : x));
  const dtype = resultType(operands as ({ dtype: DType; ndim: number } | Scalar)[]);
  sameDevice('where', cond, a instanceof Tensor ? a : null, b instanceof Tensor ? b : null);
  const pa = prep(a, dtype), pb = prep(b, dtype);
  let shape = cond.shape as readonly number[];
  for (const p of [pa, pb]) if (p instanceof Tensor) shape = broadcastShapes(shape, p.shape, 'where: condition and operands');
  const be = cond.storage.backend;
  const out = emptyTensor(shape, dtype, be);
  be.where(
    bview(cond, shape, 'where'),
    pa instanceof Tensor ? bview(pa, shape, 'where') : castScalar(pa, dtype),
    pb instanceof Tensor ? bview(pb, shape, 'where') : castScalar(pb, dtype),
    out,
  );
  const ta = pa instanceof Tensor ? pa : null, tb = pb instanceof Tensor ? pb : null;
  if (!isFloating(dtype) || !needsGrad([ta, tb])) return out;
  return record1('WhereBackward0', [cond, ta, tb], out, (g) => [
    null,
    ta?.requiresGrad ? sumToShape(where(cond, g, 0), ta.shape) : null,
    tb?.requiresGrad ? sumToShape(where(cond, 0, g), tb.shape) : null,
  ]);
}

/** torch.clamp with scalar bounds (either may be null). */
export function clamp(x: Tensor, min: number | null = null, max: number | null = null, gradFn = 'ClampBackward1'): Tensor {
  if (min === null && max === null) throw new FastgradError(`clamp: at least one of min and max must be given (tensor of shape ${fmtShape(x.shape)})`);
  // NOTE: the bounds take part in type promotion as Python scalars (bool tensor clamped by ints gives ints).
  const dtype = resultType([{ dtype: x.dtype, ndim: x.ndim }, ...[min, max].filter((v): v is number => v !== null)]);
  const src = castTo(x, dtype);
  const out = emptyTensor(x.shape, dtype, x.storage.backend);
  // NOTE: torch's CPU kernel is min(max(x, lo), hi) with C++ std::max/min, so a NaN bound is ignored.
  const bound = (v: number | null): number | null => (v === null || Number.isNaN(v) ? null : castScalar(v, dtype));
  x.storage.backend.clamp(src, bound(min), bound(max), out);
  // NOTE: torch.clamp(x, min=..., max=...) records ClampBackward1 whichever bounds are given;
  // clamp_min/clamp_max record ClampMinBackward0/ClampMaxBackward0.
  const name = gradFn;
  if (!isFloating(dtype)) return out;
  return record1(name, [src], out, (g, [xs]) => {
    let mask: Tensor | null = null;
    if (min !== null) mask = xs!.ge(min);
    if (max !== null) mask = mask ? mask.logicalAnd(xs!.le(max)) : xs!.le(max);
    return [g.mul(mask!)];
  }, [src]);
}

export type { Scalar };
