// PyTorch golden tests for the elementwise family (src/ops/elementwise.ts): unary, binary with broadcasting
// and type promotion, scalars on either side, where, clamp, in-place variants, NaN/inf, views.
// Data: /usr/bin/python3 tools/golden/ops_elementwise.py (writes test/golden/ops_elementwise.json).
import { describe, expect, it } from 'vitest';
import { Tensor, pow, tensor, where, zeros } from '../../src/index.js';
import { binary } from '../../src/ops/elementwise.js';
import { READS_SYNC, describeBackends } from '../helpers/backends.js';
import { type OpFn, type Value, T, loadCases, registerCases } from './golden_cases.js';

const UNARY: Record<string, (x: Tensor) => Tensor> = {
  neg: (x) => x.neg(), abs: (x) => x.abs(), exp: (x) => x.exp(), log: (x) => x.log(), sqrt: (x) => x.sqrt(),
  rsqrt: (x) => x.rsqrt(), sigmoid: (x) => x.sigmoid(), tanh: (x) => x.tanh(), relu: (x) => x.relu(),
  sin: (x) => x.sin(), cos: (x) => x.cos(), tan: (x) => x.tan(), asin: (x) => x.asin(), acos: (x) => x.acos(),
  atan: (x) => x.atan(), sinh: (x) => x.sinh(), cosh: (x) => x.cosh(), floor: (x) => x.floor(), ceil: (x) => x.ceil(),
  round: (x) => x.round(), trunc: (x) => x.trunc(), frac: (x) => x.frac(), sign: (x) => x.sign(),
  reciprocal: (x) => x.reciprocal(), expm1: (x) => x.expm1(), log1p: (x) => x.log1p(), log2: (x) => x.log2(),
  exp2: (x) => x.exp2(), erf: (x) => x.erf(), square: (x) => x.square(), isnan: (x) => x.isnan(),
  isinf: (x) => x.isinf(), logical_not: (x) => x.logicalNot(),
  neg_: (x) => x.neg_(), abs_: (x) => x.abs_(), exp_: (x) => x.exp_(), log_: (x) => x.log_(), sqrt_: (x) => x.sqrt_(),
  sigmoid_: (x) => x.sigmoid_(), tanh_: (x) => x.tanh_(), relu_: (x) => x.relu_(),
};
type V = Value;
const BINARY: Record<string, (a: Tensor, b: V, kw: Record<string, any>) => Tensor> = {
  add: (a, b, kw) => a.add(b, { alpha: kw.alpha }),
  sub: (a, b, kw) => a.sub(b, { alpha: kw.alpha }),
  mul: (a, b) => a.mul(b),
  div: (a, b, kw) => a.div(b, { roundingMode: kw.rounding_mode }),
  pow: (a, b) => a.pow(b),
  maximum: (a, b) => a.maximum(T(b)),
  minimum: (a, b) => a.minimum(T(b)),
  remainder: (a, b) => a.remainder(b),
  floor_divide: (a, b) => a.floorDivide(b),
  atan2: (a, b) => a.atan2(T(b)),
  eq: (a, b) => a.eq(b), ne: (a, b) => a.ne(b), lt: (a, b) => a.lt(b), le: (a, b) => a.le(b), gt: (a, b) => a.gt(b), ge: (a, b) => a.ge(b),
  logical_and: (a, b) => a.logicalAnd(b), logical_or: (a, b) => a.logicalOr(b), logical_xor: (a, b) => a.logicalXor(b),
  bitwise_and: (a, b) => a.bitwiseAnd(b), bitwise_or: (a, b) => a.bitwiseOr(b), bitwise_xor: (a, b) => a.bitwiseXor(b),
  rsub: (a, b, kw) => a.rsub(b, { alpha: kw.alpha }),
  // Python's reflected operators `s OP t` (args are [t, s]); JS has no operator overloading.
  __radd__: (t, s) => binary('add', s as number, t),
  __rsub__: (t, s) => t.rsub(s),
  __rmul__: (t, s) => binary('mul', s as number, t),
  __rtruediv__: (t, s) => binary('div', s as number, t),
  __rpow__: (t, s) => pow(s as number, t),
  add_: (a, b, kw) => a.add_(b, { alpha: kw.alpha }),
  sub_: (a, b, kw) => a.sub_(b, { alpha: kw.alpha }),
  mul_: (a, b) => a.mul_(b),
  div_: (a, b) => a.div_(b),
  pow_: (a, b) => a.pow_(b),
};

const ELEMENTWISE_OPS: Record<string, OpFn> = {
  where: ([c, a, b]) => where(T(c!), a!, b!),
  clamp: ([x], kw) => T(x!).clamp(kw.min ?? null, kw.max ?? null),
  clip: ([x], kw) => T(x!).clip(kw.min ?? null, kw.max ?? null),
  clamp_: ([x], kw) => T(x!).clamp_(kw.min ?? null, kw.max ?? null),
  clamp_min: ([x, v]) => T(x!).clampMin(v as number),
  clamp_max: ([x, v]) => T(x!).clampMax(v as number),
};
for (const [k, f] of Object.entries(UNARY)) ELEMENTWISE_OPS[k] = ([x]) => f(T(x!));
for (const [k, f] of Object.entries(BINARY)) {
  ELEMENTWISE_OPS[k] = ([a, b], kw) => {
    // torch.pow(s, t) / torch.remainder(s, t): a scalar first operand
    if (!(a instanceof Tensor)) return k === 'pow' ? pow(a!, T(b!)) : binary(k as 'remainder', a!, T(b!));
    return f(a, b!, kw);
  };
}

const cases = loadCases().filter((c) => c.family === 'elementwise');

describeBackends('elementwise ops vs PyTorch 1.13', () => {
  const groups = new Map<string, typeof cases>();
  for (const c of cases) {
    const g = c.op.startsWith('__') ? c.op : c.op.replace(/_$/, '_ (in place)');
    groups.set(g, [...(groups.get(g) ?? []), c]);
  }
  for (const [op, cs] of groups) describe(op, () => registerCases(cs, ELEMENTWISE_OPS));
}, { skip: { 'cpu-async': READS_SYNC } });

describeBackends('elementwise: fastgrad-specific behaviour', () => {
  it('an in-place op on a tensor without grad saves the pre-write value when the other operand needs grad', () => {
    const x = tensor([1.5, 2.5]);
    const w = tensor([3, 4], { requiresGrad: true });
    x.mul_(w);
    x.sum().backward();
    expect(w.grad!.tolist()).toEqual([1.5, 2.5]);
  });
  it('operand errors name the shapes', () => {
    expect(() => zeros([2, 3]).add(zeros([4]))).toThrow(/\[2, 3\].*\[4\]/);
  });
}, { skip: { 'cpu-async': READS_SYNC } });
