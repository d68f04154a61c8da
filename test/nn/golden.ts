// Loads test/golden/nn.json (tools/golden/nn.py, PyTorch 1.13) and turns its tensors into fastgrad tensors.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import * as fg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import type { DType } from '../../src/tensor/dtype.js';

type Num = number | 'nan' | 'inf' | '-inf' | boolean;
export interface TJ {
  shape: number[];
  dtype: DType;
  data: Num[];
}
/** A big init draw: head/tail values and float64 sums in order (see digest() in nn.py). */
export interface Digest {
  numel: number;
  head: number[];
  tail: number[];
  sum: number;
  sumsq: number;
}
export type Case = Record<string, any> & { group: string; name: string };

export const golden = JSON.parse(readFileSync(new URL('../golden/nn.json', import.meta.url), 'utf8')) as { meta: Record<string, unknown>; cases: Case[] };
export const casesOf = (group: string): Case[] => golden.cases.filter((c) => c.group === group);

export const num = (v: Num): number => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : typeof v === 'boolean' ? +v : v);

export function T(j: TJ): Tensor {
  const vals = j.data.map(num);
  if (j.dtype === 'int32') return fg.fromArray(Int32Array.from(vals), j.shape);
  if (j.dtype === 'float64') return fg.fromArray(Float64Array.from(vals), j.shape);
  if (j.dtype === 'float32') return fg.fromArray(Float32Array.from(vals), j.shape);
  throw new Error(`golden: unexpected dtype ${j.dtype}`);
}

/** Bit-exact comparison with a golden tensor or digest (float32 values in the JSON are exact); awaited read. */
export async function expectExact(got: Tensor, want: TJ | Digest, what: string): Promise<void> {
  const a = Array.from((await got.dataAsync()) as Float32Array);
  if ('numel' in want) {
    expect(a.length, `${what}: numel`).toBe(want.numel);
    expect(a.slice(0, want.head.length), `${what}: head`).toEqual(want.head);
    expect(a.slice(a.length - want.tail.length), `${what}: tail`).toEqual(want.tail);
    let s = 0, s2 = 0;
    for (const v of a) {
      s += v;
      s2 += v * v;
    }
    expect(s, `${what}: sum`).toBe(want.sum);
    expect(s2, `${what}: sum of squares`).toBe(want.sumsq);
    return;
  }
  expect(got.shape, `${what}: shape`).toEqual(want.shape);
  expect(a, what).toEqual(want.data.map(num));
}

/** |got - want| <= atol + rtol·|want| elementwise, NaN and ±inf matched exactly; awaited read. */
export async function expectNear(got: Tensor, want: TJ, what: string, rtol = 1e-5, atol = 1e-6): Promise<void> {
  expect(got.shape, `${what}: shape`).toEqual(want.shape);
  const a = Array.from((await got.dataAsync()) as Float32Array);
  const e = want.data.map(num);
  for (let i = 0; i < e.length; i++) {
    const x = a[i]!, y = e[i]!;
    if (Number.isNaN(y)) expect(Number.isNaN(x), `${what}[${i}]: expected NaN, got ${x}`).toBe(true);
    else if (!Number.isFinite(y)) expect(x, `${what}[${i}]`).toBe(y);
    else if (!(Math.abs(x - y) <= atol + rtol * Math.abs(y))) expect.fail(`${what}[${i}]: got ${x}, expected ${y} (rtol ${rtol}, atol ${atol})`);
  }
}
