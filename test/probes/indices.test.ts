// Probe defect 1: fractional (or NaN, or non-number) indices, sizes, dims and steps reached the kernels:
// `arange(16).slice(0, 1.5, 3)` returned garbage on wasm and `.slice(0, 15.5, 16).fill_(-1)` wrote into
// a neighbouring tensor. Each is now an ArgumentError (torch: TypeError) naming the function, the
// argument and the value, before anything reaches a backend.
import { describe, expect, test } from 'vitest';
import { Slice, Tensor, arange, cat, conv2d, errors, getBackend, ones, stack, tensor, zeros } from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectError } from '../helpers/expect-error.js';

const { ArgumentError, IndexError } = errors;
const x23 = (): Tensor => arange(6).reshape(2, 3).float();

describeBackends('fractional indices never reach memory', (device) => {
  test('the probe: slice with a fractional start, and a fill_ through a fractional slice', () => {
    expectError(() => arange(16).slice(0, 1.5, 3), ArgumentError, /slice: start must be an integer, got 1\.5/);
    const a = arange(16), b = arange(16);
    expectError(() => a.slice(0, 15.5, 16).fill_(-1), ArgumentError, /slice: start/, /15\.5/);
    expect(a.tolist()).toEqual([...Array(16).keys()]);
    expect(b.tolist()).toEqual([...Array(16).keys()]);
    expect(a.slice(0, 14, 16).fill_(-1).tolist()).toEqual([-1, -1]);
    expect(b.sum().item()).toBe(120);
  });

  test('slice / narrow / select: start, end, step, length and index', () => {
    const x = arange(10);
    expectError(() => x.slice(0, 0, 4.5), ArgumentError, /slice: end must be an integer, got 4\.5/);
    expectError(() => x.slice(0, 0, 4, 1.5), ArgumentError, /slice: step must be an integer, got 1\.5/);
    expectError(() => x.slice(0, NaN, 4), ArgumentError, /start .*NaN/);
    expectError(() => x.slice(0, 0, Infinity), ArgumentError, /end .*Infinity/);
    expectError(() => x.slice(0.5), ArgumentError, /slice: dim must be an integer, got 0\.5/);
    expectError(() => x.slice(0, 0, 4, 0), IndexError, /step must be greater than zero/);
    expectError(() => x.narrow(0, 1.5, 2), ArgumentError, /narrow: start must be an integer, got 1\.5/);
    expectError(() => x.narrow(0, 1, 2.5), ArgumentError, /narrow: length must be an integer, got 2\.5/);
    expectError(() => x.select(0, 2.5), ArgumentError, /select: index must be an integer, got 2\.5/);
    expectError(() => x.select(0, '1' as never), ArgumentError, /select: index must be an integer, got "1"/);
    expect(x.slice(0, -3).tolist()).toEqual([7, 8, 9]);
    expect(x.narrow(0, -2, 2).tolist()).toEqual([8, 9]);
  });

  test('get / set items: numbers, Slice objects and slice strings with fractions', () => {
    const x = x23();
    expectError(() => x.get(1.5), IndexError, /index 1\.5 is not an integer/);
    expectError(() => x.get('1.5'), IndexError, /invalid index '1\.5'/);
    expectError(() => x.get('0:1.5'), ArgumentError, /slice indices must be integers or None, got '1\.5'/);
    expectError(() => x.get(':, 0.5:'), ArgumentError, /got '0\.5'/);
    expectError(() => x.get('::1.5'), ArgumentError, /'1\.5'/);
    expectError(() => x.get(new Slice(0.5, 2)), ArgumentError, /slice: start must be an integer, got 0\.5/);
    expectError(() => x.get(':', new Slice(0, 2, 0.5)), ArgumentError, /slice: step/);
    expectError(() => x.set([0, 1.5], 1), IndexError, /not an integer/);
    expectError(() => x.set('0:1.5', 1), ArgumentError, /slice indices must be integers/);
    expectError(() => x.set([new Slice(null, 2.5)], 1), ArgumentError, /slice: end must be an integer/);
    expect(x.tolist()).toEqual([[0, 1, 2], [3, 4, 5]]); // nothing was written
    expect(x.get('1e0').tolist()).toEqual([3, 4, 5]); // integral spellings are fine
  });

  test('view / reshape / expand / repeat / unflatten sizes', () => {
    const x = x23();
    expectError(() => x.view(1.5, 4), ArgumentError, /view: shape \[1\.5, 4\] must hold integers, got 1\.5 at position 0/);
    expectError(() => x.reshape(2, NaN), ArgumentError, /reshape: .*NaN at position 1/);
    expectError(() => x.view('6' as never), ArgumentError, /view: .*"6"/);
    expectError(() => x.reshape(-2, 3), errors.ShapeError, /reshape: invalid shape dimension -2/);
    expectError(() => x.expand(2, 3.5), ArgumentError, /expand: size \[2, 3\.5\] .*got 3\.5 at position 1/);
    expectError(() => x.expand(0.5, 2, 3), ArgumentError, /expand: .*0\.5/);
    expectError(() => x.repeat(1, 1.5), ArgumentError, /repeat: repeats \[1, 1\.5\]/);
    expectError(() => x.repeat(1, -1), ArgumentError, /repeat: .*-1 at position 1/);
    expectError(() => x.unflatten(1, [1.5, 2]), ArgumentError, /unflatten: .*1\.5/);
    expectError(() => x.unflatten(0.5, [1, 2]), ArgumentError, /unflatten: dim must be an integer/);
  });

  test('dims of movement ops', () => {
    const x = x23();
    expectError(() => x.permute(0, 1.5), ArgumentError, /permute: dims must be an integer, got 1\.5/);
    expectError(() => x.transpose(0, 0.5), ArgumentError, /transpose: dim1 must be an integer, got 0\.5/);
    expectError(() => tensor(3).transpose(0, 0.5), ArgumentError, /transpose: dim1/); // 0-d too
    expectError(() => x.flatten(0.5), ArgumentError, /flatten: start_dim must be an integer/);
    expectError(() => x.flatten(0, NaN), ArgumentError, /flatten: end_dim .*NaN/);
    expectError(() => x.squeeze(0.5), ArgumentError, /squeeze: dim must be an integer/);
    expectError(() => x.unsqueeze(1.5), ArgumentError, /unsqueeze: dim must be an integer, got 1\.5/);
    expectError(() => x.flip([0.5]), ArgumentError, /flip: dims must be an integer/);
    expectError(() => x.unbind(0.5), ArgumentError, /unbind: dim/);
    expectError(() => x.size(0.5), ArgumentError, /dim must be an integer, got 0\.5/);
  });

  test('split / chunk / cat / stack', () => {
    const x = x23();
    expectError(() => x.split(1.5, 1), ArgumentError, /split: split_size must be an integer, got 1\.5/);
    expectError(() => x.split([1.5, 1.5], 1), ArgumentError, /split: split_sizes\[0\] must be an integer, got 1\.5/);
    expectError(() => x.split([4, -1], 1), ArgumentError, /split_sizes\[1\] must be a non-negative integer, got -1/);
    expectError(() => x.split(1, 0.5), ArgumentError, /split: dim/);
    expectError(() => x.chunk(1.5), ArgumentError, /chunk: chunks must be an integer, got 1\.5/);
    expectError(() => x.chunk(2, 1.5), ArgumentError, /chunk: dim/);
    expectError(() => cat([x, x], 0.5), ArgumentError, /cat: dim must be an integer, got 0\.5/);
    expectError(() => cat([zeros([0]), zeros([0])], 0.5), ArgumentError, /cat: dim/); // checked even when nothing is copied
    expectError(() => stack([x, x], 1.5), ArgumentError, /stack: dim must be an integer, got 1\.5/);
    expectError(() => cat(x as never), ArgumentError, /cat: expected an array of tensors, got a Tensor/);
  });

  test('dims of reductions, softmax and cumsum', () => {
    const x = x23();
    const fs: [string, (d: number) => unknown][] = [
      ['sum', (d) => x.sum(d)], ['mean', (d) => x.mean(d)], ['prod', (d) => x.prod(d)], ['amax', (d) => x.amax(d)],
      ['amin', (d) => x.amin(d)], ['max', (d) => x.max(d)], ['min', (d) => x.min(d)], ['argmax', (d) => x.argmax(d)],
      ['argmin', (d) => x.argmin(d)], ['var', (d) => x.var(d)], ['std', (d) => x.std(d)], ['cumsum', (d) => x.cumsum(d)],
      ['logsumexp', (d) => x.logsumexp(d)], ['softmax', (d) => x.softmax(d)], ['logSoftmax', (d) => x.logSoftmax(d)],
      ['all', (d) => x.all(d)], ['any', (d) => x.any(d)], ['norm', (d) => x.norm(2, d)], ['sort', (d) => x.sort(d)],
    ];
    for (const [name, f] of fs) {
      expectError(() => f(0.5), ArgumentError, new RegExp(`${name}: dim must be an integer, got 0\\.5`));
      expectError(() => f(NaN), ArgumentError, /NaN/);
    }
    expectError(() => x.sum([0, 1.5]), ArgumentError, /sum: dim must be an integer, got 1\.5/);
    expectError(() => x.sum(5), IndexError, /sum: dim=5 is out of range for a tensor of rank 2/);
  });

  test('gather / scatter / scatterAdd / indexSelect dims and topk k', () => {
    const x = x23(), idx = tensor([[0, 1, 2], [2, 1, 0]]);
    expectError(() => x.gather(0.5, idx), ArgumentError, /gather: dim must be an integer/);
    expectError(() => x.scatter(1.5, idx, 0), ArgumentError, /scatter: dim/);
    expectError(() => x.scatterAdd(0.5, idx, x), ArgumentError, /scatter_add: dim/);
    expectError(() => x.indexSelect(0.5, tensor([0])), ArgumentError, /index_select: dim/);
    expectError(() => x.topk(1.5), ArgumentError, /topk: k must be an integer, got 1\.5/);
    expectError(() => x.topk(1, { dim: 0.5 }), ArgumentError, /topk: dim/);
    expectError(() => x.topk(4), IndexError, /topk: k \(4\) out of range/);
    expect(x.topk(2).values.tolist()).toEqual([[2, 1], [5, 4]]);
  });

  test('conv2d stride / padding / dilation / groups', () => {
    const img = ones([1, 2, 5, 5]), w = ones([2, 2, 3, 3]);
    expectError(() => conv2d(img, w, null, { stride: 1.5 }), ArgumentError, /conv2d: stride must be a positive integer or a pair of them, got 1\.5/);
    expectError(() => conv2d(img, w, null, { padding: [1, 0.5] }), ArgumentError, /conv2d: padding .*\[1, 0\.5\]/);
    expectError(() => conv2d(img, w, null, { padding: -1 }), ArgumentError, /padding must be a non-negative integer/);
    expectError(() => conv2d(img, w, null, { dilation: [1] as never }), ArgumentError, /dilation/);
    expectError(() => conv2d(img, w, null, { groups: 1.5 }), ArgumentError, /groups must be a positive integer, got 1\.5/);
    expectError(() => conv2d(img, w, null, { stride: 0 }), ArgumentError, /stride/);
    expect(conv2d(img, w, null, { stride: 2, padding: 1 }).shape).toEqual([1, 2, 3, 3]);
  });

  test('the backends refuse a view that reaches outside its storage', () => {
    const be = getBackend(device);
    const s = be.fromArray(new Float32Array(4));
    const view = (shape: number[], strides: number[], offset: number) => ({ storage: s, shape, strides, offset });
    for (const bad of [view([2], [1], 3), view([2], [1], 1.5), view([3], [-1], 1), view([2, 2], [2, 1.5], 0), view([], [], 4)])
      expectError(() => be.fill(bad, 7), IndexError, /reaches outside its storage of 4 elements/);
    be.fill(view([2], [-1], 3), 7); // negative strides inside the storage are fine
    be.fill(view([0, 9], [99, 99], 99), 7); // and so is an empty view anywhere
    expect(new Tensor(s, [4], [1], 0).tolist()).toEqual([0, 0, 7, 7]);
  });
}, { skip: { 'cpu-async': 'these tests read results synchronously; cpu-async runs the same reference kernels as cpu' } });

describe('ArgumentError', () => {
  test('is a typed FastgradError with its own name', () => {
    const e = new errors.ArgumentError('f: x must be an integer, got 1.5');
    expect(e).toBeInstanceOf(errors.FastgradError);
    expect(e.name).toBe('ArgumentError');
  });
});
