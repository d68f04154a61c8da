// Probe defect 4: `stack`/`cat` of more than ~125k tensors overflowed the call stack (an argument spread
// of the list). Lists of any length go through loops now; 200k tensors, forward and backward.
import { expect, test } from 'vitest';
import { cat, stack, tensor, type Tensor } from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';

const COUNT = 200_000;

describeBackends('cat and stack of 200k tensors', () => {
  const many = (requiresGrad = false): Tensor[] =>
    Array.from({ length: COUNT }, (_, i) => tensor([i % 1000], { dtype: 'float32', requiresGrad }));

  test('stack and cat', () => {
    const xs = many();
    const s = stack(xs);
    expect(s.shape).toEqual([COUNT, 1]);
    expect(s.get(COUNT - 1).tolist()).toEqual([(COUNT - 1) % 1000]);
    const c = cat(xs);
    expect(c.shape).toEqual([COUNT]);
    expect(c.sum().item()).toBe((COUNT / 1000) * 499500);
    expect(stack(xs, 1).shape).toEqual([1, COUNT]);
  });

  test('backward through stack reaches every input', () => {
    const xs = many(true);
    stack(xs).mul(2).sum().backward();
    expect(xs[0]!.grad!.tolist()).toEqual([2]);
    expect(xs[COUNT - 1]!.grad!.tolist()).toEqual([2]);
  });
}, { skip: { 'cpu-async': 'these tests read results synchronously; cpu-async runs the same reference kernels as cpu' } });
