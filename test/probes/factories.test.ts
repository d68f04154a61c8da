// Probe defect 2: factories and views accepted invalid sizes (`eye(-1)` had shape [-1, -1], `expand(-5, 3)`
// numel -15, `randint` past int32 returned negatives) and oversized requests surfaced V8's "Invalid typed
// array length". Each is an ArgumentError naming the argument, and for too large requests the element
// count and the limit, thrown before anything is allocated.
import { expect, test } from 'vitest';
import {
  arange, empty, errors, eye, fromArray, full, linspace, normal, ones, rand, randint, randn, randperm, tensor, zeros,
} from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectError } from '../helpers/expect-error.js';

const { ArgumentError } = errors;
const TOO_MANY = /more than the 4294967296 \(2\^32\) one tensor can hold/;

describeBackends('factories and views check their sizes', (device) => {
  test('the probe cases', () => {
    expectError(() => eye(-1), ArgumentError, /eye: n must be a non-negative integer, got -1/);
    expectError(() => eye(2.5), ArgumentError, /eye: n must be an integer, got 2\.5/);
    expectError(() => eye(2, -3), ArgumentError, /eye: m must be a non-negative integer, got -3/);
    expectError(() => arange(NaN), ArgumentError, /arange: end must be a finite number, got NaN/);
    expectError(() => arange(0, 5, NaN), ArgumentError, /arange: step .*NaN/);
    expectError(() => arange(0, Infinity), ArgumentError, /arange: end .*Infinity/);
    expectError(() => randperm(NaN), ArgumentError, /randperm: n must be an integer, got NaN/);
    expectError(() => randperm(-1), ArgumentError, /randperm: n must be a non-negative integer/);
    expectError(() => fromArray(new Float32Array(6), [-2, -3]), ArgumentError, /fromArray: shape \[-2, -3\] must hold non-negative integers, got -2 at position 0/);
    expectError(() => fromArray(new Float32Array(6), [2, 1.5, 2]), ArgumentError, /fromArray: shape .*1\.5 at position 1/);
    expectError(() => ones([1, 3]).expand(-5, 3), ArgumentError, /expand: size \[-5, 3\] must hold non-negative integers \(or -1 to keep a size\), got -5/);
    expectError(() => randint(0, 2 ** 33, [5]), ArgumentError, /randint: \[low, high\) = \[0, 8589934592\) does not fit dtype int32/, /float64/);
    expectError(() => randint(-(2 ** 31) - 1, 0, [5]), ArgumentError, /does not fit dtype int32/);
    expectError(() => randint(0, 300, [5], { dtype: 'uint8' }), ArgumentError, /does not fit dtype uint8/);
    expectError(() => randint(0.5, 3, [5]), ArgumentError, /randint: low must be an integer, got 0\.5/);
    expectError(() => randint(3, 3, [5]), ArgumentError, /randint: expected low < high, got low=3, high=3/);
    const r = randint(0, 2 ** 33, [5], { dtype: 'float64' }).tolist() as number[];
    expect(r.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 33)).toBe(true);
    expect(randint(-(2 ** 31), 2 ** 31, [3]).dtype).toBe('int32');
  });

  test('shapes of every factory: integers >= 0', () => {
    const fs: [string, (s: number[]) => unknown][] = [
      ['zeros', (s) => zeros(s)], ['ones', (s) => ones(s)], ['full', (s) => full(s, 2)], ['empty', (s) => empty(s)],
      ['rand', (s) => rand(s)], ['randn', (s) => randn(s)], ['normal', (s) => normal(0, 1, s)], ['randint', (s) => randint(0, 5, s)],
    ];
    for (const [name, f] of fs) {
      expectError(() => f([2, -1]), ArgumentError, new RegExp(`${name}: size \\[2, -1\\] must hold non-negative integers, got -1 at position 1`));
      expectError(() => f([2.5]), ArgumentError, new RegExp(`${name}: size .*2\\.5`));
      expectError(() => f([NaN, 1]), ArgumentError, /NaN at position 0/);
      expectError(() => f(['3'] as never), ArgumentError, /"3" at position 0/);
      expect((f([2, 0]) as { shape: number[] }).shape).toEqual([2, 0]);
    }
    expect(zeros(3 as never).shape).toEqual([3]); // a lone number still means a 1-D shape
    expectError(() => linspace(0, 1, 2.5), ArgumentError, /linspace: steps must be an integer, got 2\.5/);
    expectError(() => linspace(0, 1, -1), ArgumentError, /linspace: steps must be a non-negative integer/);
    expectError(() => arange(0, 5, 0), ArgumentError, /arange: step must be nonzero/);
    expectError(() => arange(5, 0, 1), ArgumentError, /inconsistent with step sign/);
    expectError(() => arange(2 ** 31 - 1, 2 ** 31 + 1), ArgumentError, /arange: values from 2147483647 to 2147483648 do not fit int32/);
    expect(arange(2 ** 31 - 1, 2 ** 31 + 1, 1, { dtype: 'float64' }).tolist()).toEqual([2 ** 31 - 1, 2 ** 31]);
    expectError(() => full([2], 'x' as never), ArgumentError, /full: fill_value must be a number or a boolean, got "x"/);
    expectError(() => tensor(new Uint32Array(2) as never), ArgumentError, /tensor: data must be a Float32Array.*got a Uint32Array/);
    expectError(() => fromArray(new BigInt64Array(2) as never, [2]), ArgumentError, /fromArray: .*BigInt64Array/);
  });

  test('too large requests name the element count and the limit, before allocating', () => {
    expectError(() => zeros([2 ** 40]), ArgumentError, /zeros: a tensor of shape \[1099511627776\] would have 1099511627776 elements/, TOO_MANY);
    expectError(() => ones([2 ** 20, 2 ** 20]), ArgumentError, /ones: .*1099511627776 elements/, TOO_MANY);
    expectError(() => empty([2 ** 33]), ArgumentError, /empty: /, TOO_MANY);
    expectError(() => full([2 ** 16, 2 ** 16, 2], 1), ArgumentError, /full: .*8589934592 elements/);
    expectError(() => randn([2 ** 33]), ArgumentError, /randn: .*8589934592 elements/, TOO_MANY);
    expectError(() => rand([2 ** 33]), ArgumentError, /rand: /, TOO_MANY);
    expectError(() => randint(0, 2, [2 ** 33]), ArgumentError, /randint: /, TOO_MANY);
    expectError(() => eye(2 ** 20), ArgumentError, /eye: a tensor of shape \[1048576, 1048576\] would have 1099511627776 elements/);
    expectError(() => arange(2 ** 40), ArgumentError, /arange: \[0, 1099511627776\) with step 1 has 1099511627776 elements/, TOO_MANY);
    expectError(() => arange(0, 1, 1e-12), ArgumentError, /arange: .*step 1e-12 has 1000000000000 elements/);
    expectError(() => linspace(0, 1, 2 ** 40), ArgumentError, /linspace: .*1099511627776 elements/);
    expectError(() => randperm(2 ** 31 + 1), ArgumentError, /randperm: n=2147483649 is too large/);
    expectError(() => zeros([2 ** 30, 2 ** 30, 2 ** 30]), ArgumentError, /zeros: size .*more than 2\^53/);
    // a view may be larger than any allocation (its count stays exact), but an op that materialises it may not
    const big = ones([1]).expand(2 ** 33);
    expect(big.shape).toEqual([2 ** 33]);
    expectError(() => big.add(1), ArgumentError, /a tensor of shape \[8589934592\] would have 8589934592 elements/, TOO_MANY);
    expectError(() => big.contiguous(), ArgumentError, TOO_MANY);
    expectError(() => ones([1]).expand(2 ** 30, 2 ** 30, 2 ** 30), ArgumentError, /expand: size .*more than 2\^53/);
    expect(device).toMatch(/cpu|wasm/);
  });
}, { skip: { 'cpu-async': 'these tests read results synchronously; cpu-async runs the same reference kernels as cpu' } });
