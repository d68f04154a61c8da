// OpInfo-style gradient checks: every differentiable op, float64, central differences (as
// torch.autograd.gradcheck), with broadcasting, non-contiguous inputs (transposed, strided slices,
// expanded), negative dims and keepdim variants; a few double-backward checks (gradgradcheck); and
// proof that the checker is strict (a wrong backward rule fails).
import { describe, expect, it } from 'vitest';
import {
  F, Generator, Slice, Tensor, cat, conv2d, errors, grad, gradcheck, gradgradcheck, noGrad, pow, rand, stack, tensor, where,
  type GradcheckOptions,
} from '../../src/index.js';
import { record1 } from '../../src/autograd/node.js';
import { describeBackends } from '../helpers/backends.js';

// gradcheck perturbs inputs and reads the outputs synchronously (src/autograd/functional.ts)
const NO_SYNC_READ = 'gradcheck reads synchronously (perturbing inputs one element at a time)';
const onDevices = { skip: { 'cpu-async': NO_SYNC_READ } } as const;
const CHECKER = 'tests the checker itself (its verdicts do not depend on the backend)';

type Fn = (...xs: Tensor[]) => Tensor | Tensor[];
interface OpInfo {
  /** the op under test (coverage is checked against REQUIRED below) */
  op: string;
  /** what this sample exercises */
  variant: string;
  /** float64 inputs (fresh each run); those with requiresGrad are checked */
  inputs: () => Tensor[];
  fn: Fn;
  opts?: GradcheckOptions;
}

const gen = new Generator(20240601);
/** A float64 leaf with uniform values in [lo, hi). */
const U = (shape: number[], lo = -1, hi = 1): Tensor =>
  noGrad(() => rand(shape, { dtype: 'float64', generator: gen }).mul(hi - lo).add(lo)).requiresGrad_();
/** Positive inputs (log, sqrt, div denominators, pow bases). */
const P = (shape: number[]): Tensor => U(shape, 0.5, 2);
/** Explicit values (kept away from kinks and jumps). */
const V = (values: number[] | number[][] | number[][][], shape?: number[]): Tensor => {
  const t = tensor(values, { dtype: 'float64' });
  return (shape ? t.reshape(shape) : t).requiresGrad_();
};
/** A non-contiguous leaf: the transpose of a contiguous [.., b, a] tensor (shape [.., a, b]). */
const Tr = (shape: number[], lo = -1, hi = 1): Tensor => {
  const s = shape.slice();
  [s[s.length - 1], s[s.length - 2]] = [s[s.length - 2]!, s[s.length - 1]!];
  return noGrad(() => U(s, lo, hi).detach().transpose(-1, -2)).requiresGrad_();
};
/** A non-contiguous leaf: every other row of a [2n, ...] tensor. */
const St = (shape: number[], lo = -1, hi = 1): Tensor =>
  noGrad(() => U([shape[0]! * 2, ...shape.slice(1)], lo, hi).detach().slice(0, null, null, 2)).requiresGrad_();
const bool = (values: boolean[] | boolean[][]): Tensor => tensor(values, { dtype: 'bool' });
const int = (values: number[] | number[][] | number[][][]): Tensor => tensor(values, { dtype: 'int32' });
/** Values away from integers and half-integers (floor, round, remainder, sign). */
const JUMPY = [[0.3, 1.7, -0.6], [-2.2, 2.4, -1.3]];

const cases: OpInfo[] = [];
const add = (op: string, variant: string, inputs: () => Tensor[], fn: Fn, opts?: GradcheckOptions): void => {
  cases.push({ op, variant, inputs, fn, opts });
};

// ---- unary math ----
const UNARY: [string, (shape: number[]) => Tensor][] = [
  ['neg', U], ['exp', U], ['log', P], ['sqrt', P], ['rsqrt', P], ['sigmoid', U], ['tanh', U], ['sin', U], ['cos', U],
  ['tan', U], ['asin', (s) => U(s, -0.8, 0.8)], ['acos', (s) => U(s, -0.8, 0.8)], ['atan', U], ['sinh', U], ['cosh', U],
  ['reciprocal', P], ['expm1', U], ['log1p', (s) => U(s, -0.5, 1)], ['log2', P], ['exp2', U], ['erf', U], ['square', U],
];
for (const [name, mk] of UNARY) {
  const f = (x: Tensor): Tensor => (x as unknown as Record<string, () => Tensor>)[name]!.call(x);
  add(name, '[2, 3]', () => [mk([2, 3])], f);
  add(name, 'transposed input', () => [noGrad(() => mk([3, 2]).detach().t()).requiresGrad_()], f);
}
for (const name of ['abs', 'relu', 'floor', 'ceil', 'round', 'trunc', 'frac', 'sign']) {
  const f = (x: Tensor): Tensor => (x as unknown as Record<string, () => Tensor>)[name]!.call(x);
  add(name, 'away from kinks', () => [V(JUMPY)], f);
  add(name, 'strided slice input', () => [noGrad(() => V([[0.3, 8.7], [1.7, 9.2], [-0.6, -8.7], [-2.2, 9.2]]).detach().slice(0, null, null, 2)).requiresGrad_()], f);
}
add('neg', '0-d', () => [V([2.5], [])], (x) => x.neg());

// ---- binary, with broadcasting and scalars ----
add('add', 'broadcast [2,3] + [3]', () => [U([2, 3]), U([3])], (a, b) => a.add(b));
add('add', 'broadcast [2,1] + [1,3], alpha', () => [U([2, 1]), U([1, 3])], (a, b) => a.add(b, { alpha: -2.5 }));
add('add', 'scalar, transposed', () => [Tr([2, 3])], (a) => a.add(3));
add('add', 'expanded input', () => [U([3]), U([2, 3]).detach()], (a, b) => a.expand([2, 3]).add(b));
add('sub', 'broadcast [2,3] - [2,1]', () => [U([2, 3]), U([2, 1])], (a, b) => a.sub(b));
add('sub', 'alpha', () => [U([3]), U([3])], (a, b) => a.sub(b, { alpha: 0.5 }));
add('rsub', 'scalar - tensor', () => [U([2, 2])], (a) => a.rsub(1.5));
add('mul', 'broadcast [2,3] * [3]', () => [U([2, 3]), U([3])], (a, b) => a.mul(b));
add('mul', 'same tensor twice', () => [U([4])], (a) => a.mul(a));
add('mul', 'strided slice * scalar', () => [St([2, 3])], (a) => a.mul(-3));
add('mul', '0-d * [2,3]', () => [U([]), Tr([2, 3])], (a, b) => a.mul(b));
add('div', 'broadcast [2,3] / [2,1]', () => [U([2, 3]), P([2, 1])], (a, b) => a.div(b));
add('div', 'scalar divisor', () => [U([3])], (a) => a.div(4));
add('div', 'tensor / tensor, transposed', () => [Tr([2, 3]), noGrad(() => P([3, 2]).detach().t()).requiresGrad_()], (a, b) => a.div(b));
add('pow', 'tensor ** scalar', () => [P([2, 3])], (a) => a.pow(2.5));
add('pow', 'negative base ** integer', () => [U([2, 3])], (a) => a.pow(3));
add('pow', 'tensor ** 0.5 transposed', () => [Tr([2, 3], 0.5, 2)], (a) => a.pow(0.5));
add('pow', 'tensor ** tensor, broadcast', () => [P([2, 3]), U([3])], (a, b) => a.pow(b));
add('pow', 'scalar ** tensor', () => [U([2, 3])], (b) => pow(2, b));
add('pow', 'scalar ** tensor via fn, e base', () => [U([3])], (b) => pow(Math.E, b));
add('maximum', 'broadcast', () => [U([2, 3]), U([3])], (a, b) => a.maximum(b));
add('minimum', 'broadcast', () => [U([2, 3]), U([2, 1])], (a, b) => a.minimum(b));
add('remainder', 'tensor % tensor', () => [V([[2.3, -1.7, 5.2], [-4.4, 0.9, 3.3]]), V([0.7, 1.9, -1.4])], (a, b) => a.remainder(b));
add('remainder', 'tensor % scalar', () => [V(JUMPY)], (a) => a.remainder(0.7));
add('atan2', 'broadcast', () => [U([2, 3]), P([3])], (a, b) => a.atan2(b));
add('atan2', 'negative x', () => [U([3]), V([-1.5, 1.2, -0.7])], (a, b) => a.atan2(b));

// ---- where / clamp / maskedFill ----
const mask23 = (): Tensor => bool([[true, false, true], [false, false, true]]);
add('where', 'broadcast a [2,3], b [3]', () => [U([2, 3]), U([3])], (a, b) => where(mask23(), a, b));
add('where', 'scalar other, method form', () => [U([2, 3])], (a) => a.where(mask23(), 0.5));
add('where', 'broadcast condition', () => [U([2, 3]), U([2, 3])], (a, b) => where(bool([true, false, true]), a, b));
add('clamp', 'min and max', () => [V([[-2, -0.3, 0.1], [0.4, 0.9, 3]])], (x) => x.clamp(-0.5, 0.5));
add('clamp', 'min only', () => [V([[-2, -0.3, 0.1], [0.4, 0.9, 3]])], (x) => x.clamp(0));
add('clamp', 'max only', () => [V([[-2, -0.3, 0.1], [0.4, 0.9, 3]])], (x) => x.clamp(null, 0.5));
add('clampMin', '', () => [V([-2, -0.3, 0.1, 0.4])], (x) => x.clampMin(0));
add('clampMax', '', () => [V([-2, -0.3, 0.1, 0.4])], (x) => x.clampMax(0));
add('clip', '', () => [Tr([2, 3])], (x) => x.clip(-0.5, 0.5));
add('maskedFill', 'scalar value', () => [U([2, 3])], (x) => x.maskedFill(mask23(), -1));
add('maskedFill', '0-d tensor value (gets gradient)', () => [U([2, 3]), U([])], (x, v) => x.maskedFill(mask23(), v));

// ---- reductions ----
add('sum', 'all', () => [U([2, 3])], (x) => x.sum());
add('sum', 'dim -1', () => [U([2, 3])], (x) => x.sum(-1));
add('sum', 'dims [0, 2] keepdim, transposed', () => [Tr([2, 3, 2])], (x) => x.sum([0, 2], true));
add('sum', 'expanded input', () => [U([3])], (x) => x.expand([2, 3]).sum(0));
add('mean', 'all', () => [U([2, 3])], (x) => x.mean());
add('mean', 'dim 0 keepdim', () => [St([2, 3])], (x) => x.mean(0, true));
add('mean', 'dims [-1, -2]', () => [U([2, 2, 3])], (x) => x.mean([-1, -2]));
add('prod', 'all', () => [U([2, 3])], (x) => x.prod());
add('prod', 'dim 1', () => [U([2, 3])], (x) => x.prod(1));
add('prod', 'dim -2 keepdim, transposed', () => [Tr([3, 2])], (x) => x.prod(-2, true));
add('prod', 'one zero', () => [V([[0, 2, 3], [1.5, -2, 0.5]])], (x) => x.prod());
add('prod', 'one zero per row, dim', () => [V([[0, 2, 3], [1.5, 0, 0.5]])], (x) => x.prod(1));
add('prod', 'two zeros', () => [V([[0, 2, 0], [1.5, -2, 0.5]])], (x) => x.prod());
add('prod', 'two zeros in a row, dim', () => [V([[0, 2, 0], [1.5, -2, 0.5]])], (x) => x.prod(-1));
add('amax', 'dim 1', () => [U([2, 3])], (x) => x.amax(1));
add('amax', 'dims [0, 2] keepdim', () => [U([2, 3, 2])], (x) => x.amax([0, 2], true));
add('amin', 'all', () => [U([2, 3])], (x) => x.amin());
add('amin', 'dim -1 transposed', () => [Tr([2, 3])], (x) => x.amin(-1));
add('max', 'full', () => [U([2, 3])], (x) => x.max());
add('max', 'dim values', () => [U([2, 3])], (x) => x.max(1).values);
add('max', 'dim -2 keepdim', () => [Tr([3, 2])], (x) => x.max(-2, true).values);
add('min', 'full', () => [St([2, 3])], (x) => x.min());
add('min', 'dim values', () => [U([2, 3])], (x) => x.min(0).values);
add('min', 'dim keepdim', () => [U([2, 3])], (x) => x.min(-1, true)[0]);
add('var', 'all', () => [U([2, 3])], (x) => x.var());
add('var', 'dim 1, correction 0', () => [U([2, 3])], (x) => x.var(1, { correction: 0 }));
add('var', 'dims keepdim', () => [Tr([2, 3, 2])], (x) => x.var([0, -1], { keepdim: true }));
add('std', 'all', () => [U([2, 3])], (x) => x.std());
add('std', 'dim -1 unbiased false keepdim', () => [U([2, 3])], (x) => x.std(-1, { unbiased: false, keepdim: true }));
add('cumsum', 'dim 1', () => [U([2, 3])], (x) => x.cumsum(1));
add('cumsum', 'dim -2 transposed', () => [Tr([3, 2])], (x) => x.cumsum(-2));
add('logsumexp', 'dim 1', () => [U([2, 3])], (x) => x.logsumexp(1));
add('logsumexp', 'dims keepdim', () => [U([2, 3, 2])], (x) => x.logsumexp([0, -1], true));
add('softmax', 'dim -1', () => [U([2, 3])], (x) => x.softmax(-1));
add('softmax', 'dim 0 transposed', () => [Tr([3, 2])], (x) => x.softmax(0));
add('logSoftmax', 'dim 1', () => [U([2, 3])], (x) => x.logSoftmax(1));
add('logSoftmax', 'dim -2 strided', () => [St([2, 3])], (x) => x.logSoftmax(-2));
add('norm', 'p=2 full', () => [U([2, 3])], (x) => x.norm());
add('norm', 'p=1 dim', () => [V(JUMPY)], (x) => x.norm(1, 1));
add('norm', 'p=3 dim keepdim', () => [U([2, 3])], (x) => x.norm(3, -1, true));
add('norm', 'p=inf', () => [V(JUMPY)], (x) => x.norm(Infinity));

// ---- shape / views ----
add('view', '[2,3] -> [6] and [3,-1]', () => [U([2, 3])], (x) => x.view(6).view(3, -1));
add('reshape', 'view path', () => [U([2, 3])], (x) => x.reshape([3, 2]));
add('reshape', 'copy path (non-contiguous)', () => [Tr([2, 3])], (x) => x.reshape([-1]));
add('viewAs', '', () => [U([2, 3]), U([3, 2])], (x, y) => x.viewAs(y).mul(y));
add('reshapeAs', '', () => [Tr([2, 3]), U([6])], (x, y) => x.reshapeAs(y).mul(y));
add('permute', '3-D, negative dims', () => [U([2, 3, 2])], (x) => x.permute(-1, 0, 1));
add('transpose', 'negative dims', () => [U([2, 3, 2])], (x) => x.transpose(-1, -3));
add('t', '2-D', () => [U([2, 3])], (x) => x.t());
add('t', '1-D', () => [U([3])], (x) => x.t());
add('T', '3-D', () => [U([2, 3, 2])], (x) => x.T);
add('unsqueeze', 'dim -1', () => [Tr([2, 3])], (x) => x.unsqueeze(-1));
add('unsqueeze', 'dim 0', () => [U([3])], (x) => x.unsqueeze(0));
add('squeeze', 'all', () => [U([1, 3, 1])], (x) => x.squeeze());
add('squeeze', 'dim -1', () => [U([2, 1])], (x) => x.squeeze(-1));
add('expand', 'new leading dims and -1', () => [U([3, 1])], (x) => x.expand([2, -1, 4]));
add('expandAs', '', () => [U([3]), U([2, 3])], (x, y) => x.expandAs(y).mul(y));
add('broadcastTo', '', () => [U([1, 3])], (x) => x.broadcastTo([2, 3]));
add('flatten', 'start 1', () => [U([2, 2, 3])], (x) => x.flatten(1));
add('flatten', 'transposed input', () => [Tr([2, 2, 3])], (x) => x.flatten());
add('unflatten', 'dim -1', () => [U([2, 6])], (x) => x.unflatten(-1, [2, -1]));
add('narrow', 'negative start', () => [U([2, 4])], (x) => x.narrow(1, -3, 2));
add('select', 'negative index', () => [U([3, 2])], (x) => x.select(0, -1));
add('select', 'dim -1 strided', () => [St([2, 3])], (x) => x.select(-1, 1));
add('slice', 'step 2', () => [U([5, 2])], (x) => x.slice(0, 1, null, 2));
add('slice', 'negative bounds', () => [Tr([2, 5])], (x) => x.slice(-1, -4, -1));
add('flip', 'two dims', () => [U([2, 3])], (x) => x.flip([0, -1]));
add('flip', 'one dim transposed', () => [Tr([2, 3])], (x) => x.flip(1));
add('repeat', '2-D with new dim', () => [U([2, 2])], (x) => x.repeat(2, 1, 3));
add('cat', 'dim -1, three inputs', () => [U([2, 1]), U([2, 3]), Tr([2, 2])], (a, b, c) => cat([a, b, c], -1));
add('cat', 'dim 0, same tensor twice', () => [U([2, 2])], (a) => cat([a, a.mul(2)], 0));
add('stack', 'dim 1', () => [U([2, 3]), U([2, 3])], (a, b) => stack([a, b], 1));
add('stack', 'dim -1', () => [U([3]), St([3])], (a, b) => stack([a, b], -1));
add('split', 'int size, all outputs', () => [U([5, 2])], (x) => x.split(2));
add('split', 'sizes, dim -1, only one output used', () => [U([2, 5])], (x) => x.split([2, 3], -1)[1]!.mul(2));
add('chunk', '3 chunks', () => [U([2, 6])], (x) => x.chunk(3, 1));
add('unbind', 'all outputs', () => [U([3, 2])], (x) => x.unbind());
add('unbind', 'dim -1, one output used', () => [U([2, 3])], (x) => x.unbind(-1)[2]!.exp());
add('contiguous', 'of a transposed tensor', () => [Tr([2, 3])], (x) => x.contiguous());
add('clone', '', () => [St([2, 3])], (x) => x.clone());

// ---- indexing: get() ----
add('get', 'int', () => [U([3, 2])], (x) => x.get(1));
add('get', 'int and slice string', () => [U([3, 4])], (x) => x.get('-1, 1:3'));
add('get', 'step slice, Slice object', () => [U([5, 2])], (x) => x.get(new Slice(null, null, 2), 0));
add('get', 'None and ellipsis', () => [U([2, 3])], (x) => x.get('...', null, 1));
add('get', 'None string', () => [Tr([2, 3])], (x) => x.get(':, None'));
add('get', 'int array with repeats', () => [U([3, 2])], (x) => x.get([0, 2, 0]));
add('get', 'two int arrays', () => [U([3, 3])], (x) => x.get([0, 1, 2], [2, 0, 2]));
add('get', 'separated int arrays', () => [U([2, 3, 2])], (x) => x.get([0, 1], ':', [1, 0]));
add('get', '2-D int tensor index, transposed', () => [Tr([3, 2])], (x) => x.get(int([[0, 2], [1, 1]])));
add('get', 'bool mask tensor', () => [U([2, 3])], (x) => x.get(mask23()));
add('get', 'boolean[] on dim 1', () => [U([2, 3])], (x) => x.get(':', [true, false, true]));
add('get', 'slice then int array', () => [St([3, 3])], (x) => x.get('1:', [2, 0]));

// ---- indexing: set() in place on a non-leaf; gradient to the base and the value ----
add('set', 'row from a tensor', () => [U([2, 3]), U([3])], (x, v) => {
  const y = x.mul(1);
  y.set([0], v);
  return y;
});
add('set', 'column slice, broadcast value', () => [U([3, 3]), U([1])], (x, v) => {
  const y = x.mul(2);
  y.set(':, 1', v);
  return y.mul(y);
});
add('set', 'int array index', () => [U([4, 2]), U([2, 2])], (x, v) => {
  const y = x.exp();
  const z = y.mul(1);
  z.set([[3, 1]], v);
  return z;
});
add('set', 'bool mask, 0-d value', () => [U([2, 3]), U([])], (x, v) => {
  const y = x.add(0);
  y.set([mask23()], v);
  return y;
});
add('set', 'scalar value (base only)', () => [U([2, 3])], (x) => {
  const y = x.sin();
  const z = y.mul(1);
  z.set('1, 0:2', 5);
  return z;
});

// ---- gather / scatter ----
add('gather', 'dim 1', () => [U([2, 3])], (x) => x.gather(1, int([[0, 0], [2, 1]])));
add('gather', 'dim 0, transposed', () => [Tr([3, 2])], (x) => x.gather(0, int([[2, 0], [1, 1], [0, 2]])));
add('scatter', 'tensor src', () => [U([2, 4]), U([2, 2])], (x, s) => x.scatter(1, int([[0, 3], [2, 1]]), s));
add('scatter', 'scalar src', () => [U([3, 2])], (x) => x.scatter(0, int([[0, 2]]), 7));
add('scatterAdd', 'repeated indices', () => [U([2, 3]), U([2, 2])], (x, s) => x.scatterAdd(1, int([[0, 0], [2, 1]]), s));
add('indexSelect', 'dim 0 with repeats', () => [U([3, 2])], (x) => x.indexSelect(0, int([2, 0, 2])));
add('indexSelect', 'dim -1', () => [Tr([2, 3])], (x) => x.indexSelect(-1, int([1])));

// ---- linear algebra ----
add('matmul', '1-D @ 1-D', () => [U([3]), U([3])], (a, b) => a.matmul(b));
add('matmul', '2-D @ 1-D', () => [U([2, 3]), U([3])], (a, b) => a.matmul(b));
add('matmul', '1-D @ 2-D', () => [U([3]), U([3, 2])], (a, b) => a.matmul(b));
add('matmul', '2-D @ 2-D, transposed operands', () => [Tr([2, 3]), Tr([3, 2])], (a, b) => a.matmul(b));
add('matmul', '3-D @ 3-D', () => [U([2, 2, 3]), U([2, 3, 2])], (a, b) => a.matmul(b));
add('matmul', '3-D @ 2-D broadcast', () => [U([2, 2, 3]), U([3, 2])], (a, b) => a.matmul(b));
add('matmul', '2-D @ 3-D broadcast', () => [U([2, 3]), U([2, 3, 2])], (a, b) => a.matmul(b));
add('matmul', '1-D @ 3-D', () => [U([3]), U([2, 3, 2])], (a, b) => a.matmul(b));
add('matmul', '3-D @ 1-D', () => [U([2, 2, 3]), U([3])], (a, b) => a.matmul(b));
add('matmul', '4-D @ 3-D batch broadcast', () => [U([2, 1, 2, 3]), U([3, 3, 1])], (a, b) => a.matmul(b));
add('mm', '', () => [U([2, 3]), St([3, 2])], (a, b) => a.mm(b));
add('bmm', '', () => [U([2, 2, 3]), U([2, 3, 1])], (a, b) => a.bmm(b));
add('dot', '', () => [U([4]), U([4])], (a, b) => a.dot(b));
add('mv', '', () => [Tr([2, 3]), U([3])], (a, b) => a.mv(b));
add('conv2d', 'basic', () => [U([1, 2, 4, 4]), U([2, 2, 3, 3])], (x, w) => conv2d(x, w));
add('conv2d', 'stride 2, padding 1, bias', () => [U([2, 1, 5, 5]), U([2, 1, 3, 3]), U([2])], (x, w, b) => conv2d(x, w, b, { stride: 2, padding: 1 }));
add('conv2d', 'dilation 2', () => [U([1, 1, 5, 5]), U([1, 1, 2, 2])], (x, w) => conv2d(x, w, null, { dilation: 2 }));
add('conv2d', 'groups 2, bias', () => [U([1, 4, 3, 3]), U([4, 2, 2, 2]), U([4])], (x, w, b) => conv2d(x, w, b, { groups: 2 }));
add('conv2d', 'asymmetric stride/padding, unbatched', () => [U([2, 4, 3]), U([1, 2, 2, 2])], (x, w) => conv2d(x, w, null, { stride: [1, 2], padding: [0, 1] }));
add('conv2d', 'non-contiguous input, constant weight', () => [Tr([1, 1, 3, 4]), U([1, 1, 2, 2]).detach()], (x, w) => conv2d(x, w));

// ---- sort / topk values ----
add('sort', 'values, dim -1', () => [U([2, 4])], (x) => x.sort().values);
add('sort', 'descending dim 0, transposed', () => [Tr([3, 2])], (x) => x.sort(0, { descending: true })[0]);
add('topk', 'k=2 largest', () => [U([2, 4])], (x) => x.topk(2).values);
add('topk', 'k=2 smallest dim 0', () => [U([3, 2])], (x) => x.topk(2, { dim: 0, largest: false }).values);

// ---- in-place ops on non-leaf tensors ----
const ip = (name: string, mk: () => Tensor[], f: (y: Tensor, ...rest: Tensor[]) => unknown): void =>
  add(name, 'in place on a non-leaf', mk, (x, ...rest) => {
    const y = x.mul(1);
    f(y, ...rest);
    return y;
  });
ip('add_', () => [U([2, 3]), U([3])], (y, o) => y.add_(o!));
ip('sub_', () => [U([2, 3]), U([2, 1])], (y, o) => y.sub_(o!, { alpha: 2 }));
ip('mul_', () => [U([2, 3]), U([3])], (y, o) => y.mul_(o!));
ip('div_', () => [U([2, 3]), P([3])], (y, o) => y.div_(o!));
ip('pow_', () => [P([2, 3])], (y) => y.pow_(1.5));
ip('neg_', () => [U([3])], (y) => y.neg_());
ip('abs_', () => [V(JUMPY)], (y) => y.abs_());
ip('exp_', () => [U([3])], (y) => y.exp_());
ip('log_', () => [P([3])], (y) => y.log_());
ip('sqrt_', () => [P([3])], (y) => y.sqrt_());
ip('sigmoid_', () => [U([3])], (y) => y.sigmoid_());
ip('tanh_', () => [U([3])], (y) => y.tanh_());
ip('relu_', () => [V(JUMPY)], (y) => y.relu_());
ip('clamp_', () => [V(JUMPY)], (y) => y.clamp_(-1, 1));
ip('maskedFill_', () => [U([2, 3])], (y) => y.maskedFill_(mask23(), 0));
ip('addcmul_', () => [U([3]), U([3]), U([3])], (y, a, b) => y.addcmul_(a!, b!, 0.5));
ip('addcdiv_', () => [U([3]), U([3]), P([3])], (y, a, b) => y.addcdiv_(a!, b!, 2));
ip('lerp_', () => [U([3]), U([3])], (y, e) => y.lerp_(e!, 0.25));
ip('copy_', () => [U([2, 3]), U([3])], (y, s) => y.copy_(s!));
ip('scatterAdd_', () => [U([2, 3]), U([2, 2])], (y, s) => y.scatterAdd_(1, int([[0, 0], [2, 1]]), s!));
ip('zero_', () => [U([3]), U([3])], (y, o) => y.zero_().add_(o!));
ip('fill_', () => [U([3]), U([3])], (y, o) => y.fill_(2).mul_(o!));
add('mul_', 'chained in-place ops', () => [U([3]), U([3])], (x, o) => x.mul(2).add_(o!).mul_(o!).exp_());
add('mul_', 'in place on a view of a non-leaf (CopySlices)', () => [U([3, 2]), U([2])], (x, o) => {
  const y = x.mul(1);
  y.get(1).mul_(o!);
  return y;
});
add('add_', 'in place on a strided view, view used afterwards', () => [U([4, 2]), U([2, 2])], (x, o) => {
  const y = x.sin();
  const z = y.mul(1);
  const v = z.slice(0, 0, null, 2);
  v.add_(o!.mul(3));
  return [z, v.exp()];
});
add('copy_', 'into a plain tensor from a grad tensor', () => [U([3])], (x) => {
  const buf = noGrad(() => x.zerosLike()).detach();
  buf.copy_(x.exp());
  return buf;
});
add('mul_', 'plain tensor times a grad tensor (self is saved)', () => [U([3])], (x) => {
  const buf = tensor([1.5, -2, 0.5], { dtype: 'float64' });
  buf.mul_(x);
  return buf;
});

// ---- dtype conversion ----
// NOTE: float32 rounding would swamp a 1e-6 step; power-of-two values and step keep every value exact.
const exact = { eps: 2 ** -10, atol: 1e-9, rtol: 1e-9 };
add('to', 'float64 -> float32 -> float64', () => [V([0.5, -1.25, 2.0625])], (x) => x.float().mul(3).double(), exact);
add('to', 'float32 leaf -> float64', () => [tensor([0.5, -1.25, 2.0625], { dtype: 'float32' }).requiresGrad_()], (x) => x.to('float64').square(), exact);

// ---- nn.functional (ops with their own backward rules) ----
const targ = (): Tensor => int([1, 0, 3]);
add('F.leakyRelu', '', () => [V(JUMPY)], (x) => F.leakyRelu(x, 0.1));
add('F.linear', 'with bias', () => [U([2, 3]), U([4, 3]), U([4])], (x, w, b) => F.linear(x, w, b));
add('F.linear', '1-D input, no bias', () => [U([3]), Tr([2, 3])], (x, w) => F.linear(x, w));
add('F.dropout', 'fixed generator', () => [U([2, 4])], (x) => F.dropout(x, 0.4, true, new Generator(7)));
for (const reduction of ['mean', 'sum', 'none'] as const) {
  add('F.l1Loss', reduction, () => [V([0.3, -1.2, 2]), V([1, 0.4, -0.5])], (x, t) => F.l1Loss(x, t, { reduction }));
  add('F.mseLoss', reduction, () => [U([2, 3]), U([2, 3])], (x, t) => F.mseLoss(x, t, { reduction }));
  add('F.nllLoss', reduction, () => [U([3, 4])], (x) => F.nllLoss(x, targ(), { reduction }));
  add('F.crossEntropy', reduction, () => [U([3, 4])], (x) => F.crossEntropy(x, targ(), { reduction }));
  add('F.binaryCrossEntropy', `${reduction}, target gets gradient`, () => [U([2, 3], 0.1, 0.9), U([2, 3], 0, 1)], (x, t) => F.binaryCrossEntropy(x, t, { reduction }));
  add('F.binaryCrossEntropyWithLogits', `${reduction}, target gets gradient`, () => [U([2, 3]), U([2, 3], 0, 1)], (x, t) => F.binaryCrossEntropyWithLogits(x, t, { reduction }));
}
add('F.nllLoss', 'weight and ignoreIndex', () => [U([3, 4])], (x) => F.nllLoss(x, int([1, -100, 3]), { weight: tensor([1, 2, 0.5, 3], { dtype: 'float64' }) }));
add('F.nllLoss', '1-D input, 0-d target', () => [U([4])], (x) => F.nllLoss(x, tensor(2, { dtype: 'int32' })));
add('F.crossEntropy', 'weight, transposed logits', () => [Tr([3, 4])], (x) => F.crossEntropy(x, targ(), { weight: tensor([1, 2, 0.5, 3], { dtype: 'float64' }) }));
add('F.binaryCrossEntropy', 'weight', () => [U([3], 0.1, 0.9)], (x) => F.binaryCrossEntropy(x, tensor([0, 1, 0.3], { dtype: 'float64' }), { weight: tensor([1, 2, 3], { dtype: 'float64' }) }));
add('F.binaryCrossEntropyWithLogits', 'posWeight', () => [U([2, 3]), U([2, 3], 0, 1)], (x, t) => F.binaryCrossEntropyWithLogits(x, t, { posWeight: tensor([1, 2, 0.5], { dtype: 'float64' }) }));

// Every differentiable op fastgrad has: a missing one fails the coverage test below.
const REQUIRED = [
  ...UNARY.map(([n]) => n), 'abs', 'relu', 'floor', 'ceil', 'round', 'trunc', 'frac', 'sign',
  'add', 'sub', 'rsub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'remainder', 'atan2', 'where', 'clamp', 'clampMin', 'clampMax', 'clip', 'maskedFill',
  'sum', 'mean', 'prod', 'amax', 'amin', 'max', 'min', 'var', 'std', 'cumsum', 'logsumexp', 'softmax', 'logSoftmax', 'norm',
  'view', 'reshape', 'viewAs', 'reshapeAs', 'permute', 'transpose', 't', 'T', 'unsqueeze', 'squeeze', 'expand', 'expandAs', 'broadcastTo',
  'flatten', 'unflatten', 'narrow', 'select', 'slice', 'flip', 'repeat', 'cat', 'stack', 'split', 'chunk', 'unbind', 'contiguous', 'clone',
  'get', 'set', 'gather', 'scatter', 'scatterAdd', 'indexSelect', 'matmul', 'mm', 'bmm', 'dot', 'mv', 'conv2d', 'sort', 'topk',
  'add_', 'sub_', 'mul_', 'div_', 'pow_', 'neg_', 'abs_', 'exp_', 'log_', 'sqrt_', 'sigmoid_', 'tanh_', 'relu_', 'clamp_', 'maskedFill_',
  'addcmul_', 'addcdiv_', 'lerp_', 'copy_', 'scatterAdd_', 'zero_', 'fill_', 'to',
  'F.leakyRelu', 'F.linear', 'F.dropout', 'F.l1Loss', 'F.mseLoss', 'F.nllLoss', 'F.crossEntropy', 'F.binaryCrossEntropy', 'F.binaryCrossEntropyWithLogits',
];

describeBackends('gradcheck: every differentiable op (float64, central differences)', () => {
  it('covers every differentiable op', () => {
    const covered = new Set(cases.map((c) => c.op));
    expect(REQUIRED.filter((n) => !covered.has(n))).toEqual([]);
    expect(covered.size).toBeGreaterThanOrEqual(REQUIRED.length);
  });
  it.each(cases.map((c) => [`${c.op} ${c.variant}`.trim(), c] as const))('%s', (_name, c) => {
    expect(gradcheck(c.fn, c.inputs(), c.opts)).toBe(true);
  });
}, onDevices);

describeBackends('gradgradcheck: double backward', () => {
  const dd: [string, () => Tensor[], Fn][] = [
    ['pow tensor ** scalar', () => [P([2, 3])], (x) => x.pow(3)],
    ['pow tensor ** tensor', () => [P([3]), U([3])], (a, b) => a.pow(b)],
    ['pow scalar ** tensor', () => [U([3])], (b) => pow(2, b)],
    ['mul', () => [U([2, 3]), U([3])], (a, b) => a.mul(b)],
    ['div', () => [U([3]), P([3])], (a, b) => a.div(b)],
    ['sigmoid', () => [U([2, 3])], (x) => x.sigmoid()],
    ['tanh', () => [U([2, 3])], (x) => x.tanh()],
    ['exp', () => [U([2, 3])], (x) => x.exp()],
    ['log', () => [P([3])], (x) => x.log()],
    ['sqrt', () => [P([3])], (x) => x.sqrt()],
    ['matmul', () => [U([2, 3]), U([3, 2])], (a, b) => a.matmul(b)],
    ['matmul batched broadcast', () => [U([2, 2, 3]), U([3])], (a, b) => a.matmul(b)],
    ['sum', () => [U([2, 3])], (x) => x.sum()],
    ['sum of squares', () => [U([2, 3])], (x) => x.mul(x).sum(1)],
    ['mean dim', () => [U([2, 3])], (x) => x.pow(2).mean(-1)],
    ['softmax', () => [U([2, 3])], (x) => x.softmax(-1)],
    ['logSoftmax', () => [U([2, 3])], (x) => x.logSoftmax(1)],
    ['logsumexp', () => [U([2, 3])], (x) => x.logsumexp(1)],
    ['var', () => [U([2, 3])], (x) => x.var(1)],
    ['prod', () => [U([2, 3])], (x) => x.prod(1)],
    ['cumsum', () => [U([2, 3])], (x) => x.cumsum(1).pow(2)],
    ['amax', () => [U([2, 3])], (x) => x.amax(1).pow(2)],
    ['gather', () => [U([2, 3])], (x) => x.gather(1, int([[0, 2], [1, 1]])).pow(2)],
    ['get int array', () => [U([3, 2])], (x) => x.get([0, 2, 0]).pow(2)],
    ['slice / select', () => [U([3, 2])], (x) => x.get('1:').select(1, 0).pow(2)],
    ['cat / split', () => [U([2, 2]), U([2, 1])], (a, b) => cat([a.mul(b), b], 1).split(2, 1)[0]!.pow(2)],
    ['conv2d', () => [U([1, 1, 3, 3]), U([1, 1, 2, 2])], (x, w) => conv2d(x, w).pow(2)],
    ['where', () => [U([2, 3]), U([2, 3])], (a, b) => where(mask23(), a.mul(b), b.pow(2))],
    ['to float32 and back', () => [V([0.5, -1.25, 2.0625])], (x) => x.float().double().pow(2)],
  ];
  it.each(dd)('%s', (_name, mk, fn) => {
    const inputs = mk();
    // NOTE: through float32, seeds must be exact in float32 too
    const opts = _name.startsWith('to ') ? { ...exact, gradOutputs: [V([0.25, -0.5, 1.5])] } : undefined;
    expect(gradgradcheck(fn, inputs, opts)).toBe(true);
  });
}, onDevices);

describeBackends('the checker is strict', () => {
  /** x*x computed outside autograd with a hand-written (possibly wrong) backward rule. */
  const square = (rule: (g: Tensor, x: Tensor) => Tensor) => (x: Tensor): Tensor =>
    record1('SquareBackward', [x], noGrad(() => x.mul(x)), (g, [xs]) => [rule(g, xs!)], [x]);

  it('passes a correct custom rule', () => {
    expect(gradcheck(square((g, x) => g.mul(x).mul(2)), [U([2, 3])])).toBe(true);
  });
  it('fails a rule missing a factor', () => {
    expect(() => gradcheck(square((g, x) => g.mul(x)), [U([2, 3])])).toThrow(/Jacobian mismatch for input 0/);
  });
  it('fails a rule off by 1%', () => {
    expect(() => gradcheck(square((g, x) => g.mul(x).mul(2.02)), [U([3])])).toThrow(errors.AutogradError);
  });
  it('fails a rule that mixes up elements (right values, wrong places)', () => {
    expect(() => gradcheck(square((g, x) => g.mul(x).mul(2).flip(0)), [U([3])])).toThrow(/Jacobian mismatch/);
  });
  it('fails a rule that forgets one input of a binary op', () => {
    const mulWrong = (a: Tensor, b: Tensor): Tensor =>
      record1('MulBackward', [a, b], noGrad(() => a.mul(b)), (g, [as]) => [g.mul(b), g.mul(as!).mul(0)], [a, b]);
    expect(() => gradcheck(mulWrong, [U([3]), U([3])])).toThrow(/input 1/);
  });
  it('a gradient of the wrong shape is rejected by the engine (torch validate_outputs)', () => {
    const bad = (x: Tensor): Tensor => record1('BadShapeBackward', [x], noGrad(() => x.mul(2)), (g) => [g.t()]);
    expect(() => gradcheck(bad, [U([2, 3])])).toThrow(/BadShapeBackward returned an invalid gradient at index 0 - got \[3, 2\]|invalid gradient/);
  });
  it('a Jacobian entry that is NaN is a mismatch', () => {
    expect(() => gradcheck(square((g) => g.mul(NaN)), [U([2])])).toThrow(/analytical NaN/);
  });
  it('checks non-contiguous leaves through their own strides', () => {
    const x = Tr([2, 3]);
    expect(x.isContiguous()).toBe(false);
    expect(() => gradcheck(square((g, xs) => g.mul(xs).mul(2).t().contiguous().view(2, 3)), [x])).toThrow(/Jacobian mismatch/);
    expect(gradcheck(square((g, xs) => g.mul(xs).mul(2)), [Tr([2, 3])])).toBe(true);
  });
  it('gradgradcheck catches a first derivative that is not itself differentiable correctly', () => {
    // correct first derivative, but computed under noGrad: no double backward
    const sq = square((g, x) => noGrad(() => g.mul(x).mul(2)));
    expect(gradcheck(sq, [U([3])])).toBe(true);
    expect(() => gradgradcheck(sq, [U([3])])).toThrow(/Jacobian mismatch/);
  });
  it('grad() w.r.t. an output that does not depend on the input throws unless allowUnused', () => {
    const [a, b] = [U([2]), U([2])];
    expect(() => grad(a.mul(2).sum(), [a, b])).toThrow(/allowUnused/);
    expect(grad(a.mul(2).sum(), [a, b], { allowUnused: true })[1]).toBeNull();
  });
}, { skip: { wasm: CHECKER, 'cpu-async': CHECKER } });
