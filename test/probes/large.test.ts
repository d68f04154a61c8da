// Probe defect 3: numbers past the limits of naive loops. Reductions over more than 2^31 elements (views
// of broadcast dims) returned 0 / NaN / -Infinity on wasm, whose kernels count in i32; a float32 running
// sum stopped at 2^24, so ones(1, 1e8) @ ones(1e8, 1) gave 16777216 (torch: 1e8).
// NOTE: these walk 2^31 elements (a few seconds each); max/min of broadcast dims visit one copy.
import { expect, test } from 'vitest';
import { ones, tensor } from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';

// 2^31 + 256: past i32 counters, and a multiple of float32's spacing there, so float32 sums are exact
const N = 2 ** 31 + 256;
const SLOW = { timeout: 240_000 }; // seconds of work, on a machine shared with other test workers

describeBackends('reductions past 2^31 elements', (device) => {
  // NOTE: no op here materialises a view (that would be 8 GiB): reductions and broadcasts only
  const big = (dtype: 'float32' | 'float64' = 'float32') => ones([1], { dtype }).expand(N);

  test('sum and mean of ones(1).expand(2^31 + 256)', SLOW, () => {
    expect(big().sum().item()).toBe(N);
    expect(big('float64').sum().item()).toBe(N);
    expect(big().mean().item()).toBe(1);
    expect(big().sum(0, true).tolist()).toEqual([N]);
  });

  test('max / min / amax / argmax of broadcast dims of 2^31 + 256', () => {
    const b = tensor([3, -2], { dtype: 'float32' }).reshape(2, 1).expand(2, N);
    expect(b.max().item()).toBe(3);
    expect(b.min().item()).toBe(-2);
    expect(b.amax(1).tolist()).toEqual([3, -2]);
    expect(b.argmax(1).tolist()).toEqual([0, 0]);
    expect(b.max(1).indices.tolist()).toEqual([0, 0]);
    expect(big().argmax().item()).toBe(0);
    expect(tensor([NaN], { dtype: 'float32' }).expand(N).max().item()).toBeNaN();
  });

  test('ones([65536, 1]).expand(65536, 40000): 2.6e9 elements over two dims', { ...SLOW, skip: device !== 'wasm' }, () => {
    // (on wasm only: the reference backend gets it right as well, but takes ten seconds)
    const b = ones([65536, 1]).expand(65536, 40000);
    expect(b.sum().item()).toBe(2621440000);
    expect(b.mean().item()).toBe(1);
    expect(b.amax().item()).toBe(1);
  });
}, { skip: { 'cpu-async': 'these tests read results synchronously; cpu-async runs the same reference kernels as cpu' } });

describeBackends('float32 matmul sums K in blocks', () => {
  test('ones(1, 1e8) @ ones(1e8, 1) is 1e8 (was 16777216 on wasm)', SLOW, () => {
    expect(ones([1, 1e8]).matmul(ones([1e8, 1])).item()).toBe(1e8);
  });

  test('other layouts: broadcast operands, M = 1 by transposition, M and N > 1', SLOW, () => {
    expect(ones([1, 1]).expand(1, 1e8).matmul(ones([1, 1]).expand(1e8, 1)).item()).toBe(1e8);
    const K = 2 ** 25 + 1024; // past 2^24 (a float32 running sum of ones stops at 2^24)
    expect(ones([K, 1]).t().matmul(ones([K, 3])).tolist()).toEqual([[K, K, K]]);
    expect(ones([2, K]).matmul(ones([K, 2])).tolist()).toEqual([[K, K], [K, K]]);
    expect(ones([K]).dot(ones([K]).mul(0.5)).item()).toBe(K / 2);
  });
}, { skip: { 'cpu-async': 'these tests read results synchronously; cpu-async runs the same reference kernels as cpu' } });
