// Elementwise ops: unary, binary with broadcasting and type promotion, where, clamp, and the in-place
// machinery. Each op's forward (one backend primitive) and backward rule sit side by side.
import type { BinaryOp, UnaryOp, View } from '../backend/backend.js';
import { needsGrad, record, record1 } from '../autograd/node.js';
import { isGradEnabled, noGrad } from '../autograd/grad_mode.js';
import { AutogradError, DTypeError, FastgradError, fmtShape } from '../errors.js';
import { type DType, castScalar, category, isFloating, promoteTypes, resultType } from '../tensor/dtype.js';
import { broadcastShapes, broadcastStrides, contiguousStrides, isContiguous } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { type Scalar, type TensorLike, castTo, copyRaw, emptyTensor, sumToShape, toNumber } from './core.js';

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
  // NOTE: relu's gradient at exactly 0 is 0, as torch's threshold_backward gives.
  relu: ['ReluBackward0', (g, _x, y) => g.mul(y.gt(0))],
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
  else if (dtype === 'bool' && op !== 'abs') {
    if (op === 'neg') throw new DTypeError('neg: negation, the `-` operator, on a bool tensor is not supported; use logicalNot()');
    dtype = op === 'sign' || op === 'floor' || op === 'ceil' || op === 'round' || op === 'trunc' || op === 'relu' ? 'bool' : 'float32';
  }
  const src = isFloating(dtype) && !isFloating(x.dtype) ? castTo(x, dtype) : x;
  const out = emptyTensor(x.shape, dtype, x.storage.backend);
  x.storage.backend.unary(op, src, out);
  const [name, rule] = UNARY_GRAD[op];
  if (!isFloating(dtype) || !needsGrad([src])) return out;
  return record1(name, [src], out, (g, [xs, y]) => [rule ? rule(g, xs!, y!) : g.mul(0)], [src, out]);
}

/** Broadcast view of t onto shape (no copy). */
function bview(t: Tensor, shape: readonly number[], what: string): View {
  return { storage: t.storage, shape, strides: broadcastStrides(t.shape, t.strides, shape, what), offset: t.offset };
}

function sameDevice(a: Tensor, b: Tensor, op: string): void {
  if (a.storage.backend !== b.storage.backend)
    throw new FastgradError(`${op}: expected both tensors on the same device, got '${a.device}' and '${b.device}'; move one with .to()`);
}

const COMPARE: ReadonlySet<BinaryOp> = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr', 'logicalXor']);

/** The raw binary primitive: promotion, broadcasting, casting; no autograd. */
function binaryRaw(op: BinaryOp, a: Tensor | number, b: Tensor | number, compute: DType, outDtype: DType): Tensor {
  const ta = a instanceof Tensor ? a : null, tb = b instanceof Tensor ? b : null;
  const ref = (ta ?? tb)!;
  if (ta && tb) sameDevice(ta, tb, op);
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
  remainder: ['RemainderBackward0', (g, a, b) => [g, b instanceof Tensor ? g.mul(binaryRaw('floorDivide', a, b, b.dtype, b.dtype)).neg() : null]],
  atan2: ['Atan2Backward0', (g, a, b) => {
    const d = (a as Tensor).square().add((b as Tensor).square());
    return [g.mul(b).div(d), g.mul(a).div(d).neg()];
  }],
  pow: ['PowBackward1', (g, a, b, out) => {
    if (!(b instanceof Tensor)) return [g.mul(b).mul((a as Tensor).pow(b - 1)), null];
    if (!(a instanceof Tensor)) return [null, g.mul(out).mul(Math.log(a))];
    // NOTE: torch masks the exponent gradient where base == 0 and exponent >= 0 (log(0) would give nan).
    const ga = g.mul(b).mul(a.pow(b.sub(1)));
    const gb = g.mul(out).mul(where(a.eq(0).logicalAnd(b.ge(0)), 0, a.log()));
    return [ga, gb];
  }],
};

function minmaxGrad(g: Tensor, a: Tensor, b: Tensor, win: 'gt' | 'lt'): [Tensor, Tensor] {
  const tie = a.eq(b);
  const half = g.div(2);
  const ga = where(tie, half, where(a[win](b), g, 0));
  const gb = where(tie, half, where(b[win](a), g, 0));
  return [ga, gb];
}

function gradName(op: BinaryOp, a: TensorLike, b: TensorLike): string {
  if (op === 'pow') return a instanceof Tensor ? (b instanceof Tensor ? 'PowBackward1' : 'PowBackward0') : 'PowBackward2';
  if (op === 'sub' && !(a instanceof Tensor)) return 'RsubBackward1';
  return BINARY_GRAD[op]![0];
}

export interface BinaryOpts {
  /** what to call the operands in errors */
  name?: string;
}

/** A differentiable binary op with torch's promotion: `add(a, b)`, `lt(a, 2)`, `sub(1, t)`. */
export function binary(op: BinaryOp, a: TensorLike, b: TensorLike): Tensor {
  if (!(a instanceof Tensor) && !(b instanceof Tensor)) throw new DTypeError(`${op}: at least one operand must be a Tensor`);
  const operands = [a, b].map((x) => (x instanceof Tensor ? { dtype: x.dtype, ndim: x.ndim } : x));
  let compute = resultType(operands as ({ dtype: DType; ndim: number } | Scalar)[]);
  let outDtype = compute;
  if (COMPARE.has(op)) outDtype = 'bool';
  else if (op === 'div' && !isFloating(compute)) compute = outDtype = 'float32';
  else if (op === 'atan2' && !isFloating(compute)) compute = outDtype = 'float32';
  else if (op === 'sub' && compute === 'bool')
    throw new DTypeError('sub: subtraction, the `-` operator, with two bool tensors is not supported; use logicalXor()');
  else if (op.startsWith('bitwise') && isFloating(compute))
    throw new DTypeError(`${op}: not implemented for float dtypes (got ${describe(a)} and ${describe(b)})`);
  else if (op === 'pow' && compute === 'bool') compute = outDtype = 'int32';
  // NOTE: on bools torch's add is logical or and mul is logical and (results stay 0/1).
  let prim = op;
  if (compute === 'bool' && op === 'add') prim = 'logicalOr';
  if (compute === 'bool' && op === 'mul') prim = 'logicalAnd';
  const pa = prep(a, compute), pb = prep(b, compute);
  const out = binaryRaw(prim, pa, pb, compute, outDtype);
  const spec = BINARY_GRAD[op];
  const ta = pa instanceof Tensor ? pa : null, tb = pb instanceof Tensor ? pb : null;
  if (!spec || !isFloating(outDtype) || !needsGrad([ta, tb])) return out;
  const inputs = [ta, tb].filter((t): t is Tensor => t !== null);
  return record(gradName(op, a, b), inputs, out, ([g], saved) => {
    let k = 0;
    const sa = ta ? saved[k++]! : (pa as number);
    const sb = tb ? saved[k++]! : (pb as number);
    const [ga, gbr] = spec[1](g!, sa, sb, out);
    const res: (Tensor | null)[] = [];
    if (ta) res.push(ga && ta.requiresGrad ? sumToShape(ga, ta.shape) : null);
    if (tb) res.push(gbr && tb.requiresGrad ? sumToShape(gbr, tb.shape) : null);
    return res;
  }, op === 'add' || op === 'sub' ? [] : inputs);
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
export function clamp(x: Tensor, min: number | null = null, max: number | null = null): Tensor {
  if (min === null && max === null) throw new FastgradError('clamp: at least one of min and max must be given');
  const dtype = (min !== null && !Number.isInteger(min)) || (max !== null && !Number.isInteger(max)) ? promoteTypes(x.dtype, 'float32') : x.dtype;
  const src = castTo(x, dtype);
  const out = emptyTensor(x.shape, dtype, x.storage.backend);
  x.storage.backend.clamp(src, min === null ? null : castScalar(min, dtype), max === null ? null : castScalar(max, dtype), out);
  const name = max === null ? 'ClampMinBackward0' : min === null ? 'ClampMaxBackward0' : 'ClampBackward1';
  if (!isFloating(dtype)) return out;
  return record1(name, [src], out, (g, [xs]) => {
    let mask: Tensor | null = null;
    if (min !== null) mask = xs!.ge(min);
    if (max !== null) mask = mask ? mask.logicalAnd(xs!.le(max)) : xs!.le(max);
    return [g.mul(mask!)];
  }, [src]);
}

/**
 * Run an op in place: `self.op_(...)`. The result is computed out of place and written back into
 * self's storage (so views see it); with autograd on, self's history is rebased onto the new node,
 * and when self is a view its base's history too (torch's CopySlices).
 */
export function inplace(self: Tensor, compute: (x: Tensor) => Tensor, opName: string): Tensor {
  const gradOn = isGradEnabled();
  if (gradOn && self.requiresGrad && self.isLeaf)
    throw new AutogradError(`${opName}: a leaf tensor that requires grad is being used in an in-place operation; wrap it in noGrad() or use .data`);
  const base = self._base;
  if (gradOn && base && base.requiresGrad && base.isLeaf)
    throw new AutogradError(`${opName}: a view of a leaf tensor that requires grad is being used in an in-place operation; wrap it in noGrad() or use .data`);
  // NOTE: compute on a snapshot of self so tensors saved by the new node are not the ones we overwrite.
  const snapshot = (): Tensor => {
    const c = copyRaw(self);
    if (self.requiresGrad) (c.requiresGrad = true), (c.gradFn = self.gradFn), (c.outputNr = self.outputNr);
    return c;
  };
  let r = compute(gradOn && self.requiresGrad ? snapshot() : self);
  // an operand that requires grad made the new node save self itself: redo it on a snapshot
  if (gradOn && r.requiresGrad && !self.requiresGrad) r = compute(snapshot());
  if (r.dtype !== self.dtype && category(r.dtype) > category(self.dtype))
    throw new DTypeError(`${opName}: result type ${r.dtype} can't be cast to the desired output type ${self.dtype}`);
  const rs = broadcastShapes(self.shape, r.shape, opName);
  if (rs.length !== self.ndim || rs.some((s, i) => s !== self.shape[i]))
    throw new FastgradError(`${opName}: output with shape ${fmtShape(self.shape)} doesn't match the broadcast shape ${fmtShape(rs)}`);
  if (gradOn && r.requiresGrad && base && base.requiresGrad && !self.requiresGrad)
    throw new AutogradError(`${opName}: this view was created in noGrad mode and is being modified in place with grad mode enabled; create the view with grad mode on, or use an out-of-place op`);
  self.storage.backend.copy(bview(r, self.shape, opName), self);
  self.storage.version++;
  if (gradOn && r.requiresGrad) {
    if (base && (base.requiresGrad || !self.requiresGrad)) rebaseBase(base, self, r);
    self.requiresGrad = true;
    self.gradFn = r.gradFn;
    self.outputNr = r.outputNr;
  }
  return self;
}

/**
 * torch's CopySlices: after an in-place op on `view`, the base's gradient is the incoming gradient
 * outside the view's elements plus, inside them, what flows back through the in-place op's node.
 */
function rebaseBase(base: Tensor, view: Tensor, r: Tensor): void {
  const be = base.storage.backend;
  const pos = viewPositions(base, view);
  const idx = new Tensor(be.fromArray(pos), [pos.length], [1], 0);
  const m = new Uint8Array(base.numel());
  for (const p of pos) m[p] = 1;
  const mask = new Tensor(be.fromArray(m), base.shape.slice(), contiguousStrides(base.shape), 0);
  mask._setDtype('bool');
  const hadGrad = base.requiresGrad;
  record1('CopySlices', [hadGrad ? base : null, r], base, (g) => [
    hadGrad ? where(mask, 0, g) : null,
    g.reshape([-1]).gather(0, idx).reshape(view.shape),
  ]);
}

/** Row-major positions, within base's logical layout, of the elements of a view of base's storage. */
function viewPositions(base: Tensor, view: Tensor): Int32Array {
  const offsetsOf = (t: Tensor): Int32Array => {
    const out = new Int32Array(t.numel());
    const n = t.ndim, idx = new Array<number>(n).fill(0);
    let off = t.offset;
    for (let k = 0; k < out.length; k++) {
      out[k] = off;
      for (let d = n - 1; d >= 0; d--) {
        if (++idx[d]! < t.shape[d]!) {
          off += t.strides[d]!;
          break;
        }
        off -= (t.shape[d]! - 1) * t.strides[d]!;
        idx[d] = 0;
      }
    }
    return out;
  };
  const vo = offsetsOf(view);
  if (isContiguous(base.shape, base.strides)) return vo.map((o) => o - base.offset);
  const table = new Map<number, number>();
  offsetsOf(base).forEach((o, i) => table.set(o, i));
  return vo.map((o) => table.get(o) ?? -1);
}

/** The value of `x.copy_(src)`: src cast to x's dtype and broadcast to x's shape (CopyBackwards). */
export function copyInto(x: Tensor, src: Tensor): Tensor {
  sameDevice(x, src, 'copy_');
  const out = emptyTensor(x.shape, x.dtype, x.storage.backend);
  x.storage.backend.copy(bview(src, x.shape, 'copy_'), out);
  if (!isFloating(x.dtype)) return out;
  return record1('CopyBackwards', [x, src], out, (g) => [g.zerosLike(), sumToShape(g, src.shape).to(src.dtype)]);
}

/** The value of `x.fill_(v)` / `x.zero_()` under autograd: a constant, zero gradient to x. */
export function filled(x: Tensor, v: number, name: 'FillBackward2' | 'ZeroBackward0'): Tensor {
  const out = emptyTensor(x.shape, x.dtype, x.storage.backend);
  x.storage.backend.fill(out, castScalar(v, x.dtype));
  return record1(name, [x], out, (g) => [g.zerosLike()]);
}

export type { Scalar };
