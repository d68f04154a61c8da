import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DType } from '../../src/tensor/dtype.js';
import { defaultPrintOptions, formatTensor, type PrintOptions } from '../../src/tensor/print.js';

// Golden cases from tools/golden/print.py: repr() of PyTorch 1.13 tensors.
interface GoldenCase {
  name: string;
  shape: number[];
  dtype: DType;
  values: (number | 'nan' | 'inf' | '-inf')[];
  requiresGrad: boolean;
  gradFn: string | null;
  device?: string;
  opts?: Partial<PrintOptions>;
  expected: string;
}

const cases = JSON.parse(
  readFileSync(new URL('../golden/print.json', import.meta.url), 'utf8'),
) as GoldenCase[];

const decode = (v: GoldenCase['values'][number]): number =>
  v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v;

describe('formatTensor matches torch 1.13 repr', () => {
  it('has the golden cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(150);
  });
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const values = c.dtype === 'float32' ? Float32Array.from(c.values, decode) : c.values.map(decode);
    const out = formatTensor(
      { shape: c.shape, dtype: c.dtype, values, requiresGrad: c.requiresGrad, gradFn: c.gradFn, device: c.device },
      c.opts,
    );
    expect(out).toBe(c.expected);
  });
});

describe('book vectors', () => {
  it('requires_grad leaf', () => {
    expect(formatTensor({ shape: [3], dtype: 'float32', values: [3, 4, 10], requiresGrad: true })).toBe(
      'tensor([ 3.,  4., 10.], requires_grad=True)',
    );
  });
  it('0-d with grad_fn', () => {
    expect(formatTensor({ shape: [], dtype: 'float32', values: [9], gradFn: 'PowBackward0' })).toBe(
      'tensor(9., grad_fn=<PowBackward0>)',
    );
  });
  it('precision 4 from float32 values', () => {
    expect(formatTensor({ shape: [3], dtype: 'float32', values: [0.1, 0.4, 0.8] })).toBe('tensor([0.1000, 0.4000, 0.8000])');
  });
});

describe('API details', () => {
  it('default options', () => {
    expect(defaultPrintOptions).toEqual({ precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80, sciMode: null });
    expect(Object.isFrozen(defaultPrintOptions)).toBe(true);
  });
  it('undefined options fall back to defaults', () => {
    expect(formatTensor({ shape: [2], dtype: 'float32', values: [0.5, 1.5] }, { precision: undefined, sciMode: undefined })).toBe(
      'tensor([0.5000, 1.5000])',
    );
  });
  it('float32 values are read as float32', () => {
    // 0.1 as float64 vs float32 differ only past precision 8
    expect(formatTensor({ shape: [1], dtype: 'float32', values: [0.1] }, { precision: 10 })).toBe('tensor([0.1000000015])');
    expect(formatTensor({ shape: [1], dtype: 'float64', values: [0.1] }, { precision: 10 })).toBe(
      'tensor([0.1000000000], dtype=torch.float64)',
    );
  });
  it('suffix order: device, size, dtype, grad', () => {
    expect(formatTensor({ shape: [0, 2], dtype: 'uint8', values: [], requiresGrad: true, device: 'wasm' })).toBe(
      "tensor([], device='wasm', size=(0, 2), dtype=torch.uint8, requires_grad=True)",
    );
  });
});
