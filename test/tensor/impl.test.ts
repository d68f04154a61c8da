// Note [Tensor impl] (src/tensor/impl.ts): the Tensor methods reach ops/ and autograd/ through a table
// that src/ops/register.ts fills at import. This file imports the tensor layer alone (not 'fastgrad'),
// so it sees the table before registration, then registers it.
import { describe, expect, it } from 'vitest';
import { FastgradError } from '../../src/errors.js';
import { tensor } from '../../src/tensor/creation.js';
import { opsRegistered } from '../../src/tensor/impl.js';

describe('the Tensor implementation table', () => {
  it('before registration, a method that needs an op throws a FastgradError saying what to import', () => {
    expect(opsRegistered()).toBe(false);
    const t = tensor([1, 2, 3]); // creating and reading need no op
    expect(t.tolist()).toEqual([1, 2, 3]);
    expect(t.shape).toEqual([3]);
    expect(() => t.add(t)).toThrow(FastgradError);
    expect(() => t.sum()).toThrow(/the ops are not registered \(Tensor needed ops\.sum\): import 'fastgrad'/);
  });

  it('after importing src/ops/register.js, the same tensors work, with autograd', async () => {
    await import('../../src/ops/register.js');
    expect(opsRegistered()).toBe(true);
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const y = x.mul(x).sum();
    expect(y.gradFn?.name).toBe('SumBackward0');
    y.backward();
    expect(x.grad!.tolist()).toEqual([2, 4, 6]);
    expect(String(x.add(1).gradFn)).toBe('AddBackward0');
  });
});
