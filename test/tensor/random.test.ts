// Bit-for-bit comparison of src/tensor/random.ts with PyTorch 1.13's CPU generator.
// Golden data: /usr/bin/python3 tools/golden/random.py (writes test/golden/random.json).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  Generator, bernoulliFill, defaultGenerator, manualSeed, normalFill, randintFill, randperm, uniformFill,
} from '../../src/tensor/random.js';
import { ArgumentError } from '../../src/errors.js';

type Params = { from_?: number; to?: number; mean?: number; std?: number; p?: number; low?: number; high?: number };
type Case = { op: string; seed: string; dtype: string; n: number; params: Params; values: number[] };
type Step = { op: string; seed?: string; dtype?: string; n?: number; values?: number[] };
const golden = JSON.parse(readFileSync(new URL('../golden/random.json', import.meta.url), 'utf8')) as {
  meta: { generator_default_seed: number }; cases: Case[]; seqs: { seed: string; steps: Step[] }[];
};

const ARRAYS = { float32: Float32Array, float64: Float64Array, int32: Int32Array, uint8: Uint8Array } as const;

function draw(op: string, dtype: string, n: number, p: Params, g: Generator): number[] {
  if (op === 'randperm') return Array.from(randperm(n, g));
  const out = new ARRAYS[dtype as keyof typeof ARRAYS](n);
  const fl = out as Float32Array | Float64Array;
  switch (op) {
    case 'rand': uniformFill(fl, 0, 1, g); break;
    case 'uniform': uniformFill(fl, p.from_, p.to, g); break;
    case 'randn': normalFill(fl, 0, 1, g); break;
    case 'normal': normalFill(fl, p.mean, p.std, g); break;
    case 'randint': randintFill(out, p.low ?? 0, p.high ?? 1000, g); break;
    case 'bernoulli': bernoulliFill(out as Float32Array | Float64Array | Uint8Array, p.p ?? 0.5, g); break;
    default: throw new Error(`unknown op ${op}`);
  }
  return Array.from(out);
}

// float64 normal goes through glibc's log/sin/cos, which we can only match up to their rare misroundings
// (see normalFill); everything else must be bit-identical.
const inexact = (op: string, dtype: string) => dtype === 'float64' && (op === 'randn' || op === 'normal');

function check(op: string, dtype: string, got: number[], want: number[], p: Params = {}): void {
  expect(got.length).toBe(want.length);
  if (!inexact(op, dtype)) {
    // float32 values in the JSON are exact float32s written as doubles; fround is a no-op guard.
    const w = dtype === 'float32' ? want.map(Math.fround) : want;
    expect(got).toEqual(w);
    return;
  }
  const mean = p.mean ?? 0, std = p.std ?? 1;
  for (let i = 0; i < want.length; i++) {
    if (Object.is(got[i], want[i])) continue;
    const scale = Math.abs(mean) + Math.max(std, Math.abs(want[i]! - mean));
    expect(Math.abs(got[i]! - want[i]!), `element ${i}`).toBeLessThanOrEqual(8 * Number.EPSILON * scale);
  }
}

describe('golden cases (torch.manual_seed(seed) then one call)', () => {
  const ops = [...new Set(golden.cases.map((c) => c.op))];
  for (const op of ops) {
    const cases = golden.cases.filter((c) => c.op === op);
    it.each(cases.map((c) => [`${c.dtype} seed=${c.seed} n=${c.n} ${JSON.stringify(c.params)}`, c] as const))(
      `${op}: %s`, (_name, c) => {
        check(c.op, c.dtype, draw(c.op, c.dtype, c.n, c.params, new Generator(BigInt(c.seed))), c.values, c.params);
      });
  }
});

describe('sequences from one seed (state and cached normal advance like torch)', () => {
  it.each(golden.seqs.map((s, i) => [i, s.seed, s] as const))('sequence %i, seed %s', (_i, _seed, s) => {
    const g = new Generator(BigInt(s.seed));
    for (const st of s.steps) {
      if (st.op === 'manual_seed') { g.manualSeed(BigInt(st.seed!)); continue; }
      check(st.op, st.dtype!, draw(st.op, st.dtype!, st.n!, { low: 0, high: 1000, p: 0.5 }, g), st.values!);
    }
  });
});

describe('float64 normal through glibc libm', () => {
  it('is bit-identical for at least 99.5% of elements', () => {
    let total = 0, bad = 0;
    for (const c of golden.cases.filter((k) => inexact(k.op, k.dtype))) {
      const got = draw(c.op, c.dtype, c.n, c.params, new Generator(BigInt(c.seed)));
      total += c.n;
      bad += got.filter((v, i) => !Object.is(v, c.values[i])).length;
    }
    expect(total).toBeGreaterThan(5000);
    expect(bad / total).toBeLessThan(0.005); // 3 of 6494 elements at the time of writing
  });
});

describe('public checkpoints', () => {
  it('manualSeed(442); rand(12) - 0.5', () => {
    manualSeed(442);
    const out = new Float32Array(12);
    uniformFill(out);
    expect(Array.from(out, (v) => Math.round((v - 0.5) * 1e4) / 1e4)).toEqual(
      [-0.4629, 0.1386, 0.2409, -0.2262, -0.2632, -0.3147, 0.4876, 0.3136, 0.2799, -0.4392, 0.2103, 0.3625]);
  });
  it('manualSeed(42); randperm(891) starts 303, 778, 531', () => {
    manualSeed(42);
    expect(Array.from(randperm(891).subarray(0, 3))).toEqual([303, 778, 531]);
  });
});

describe('Generator', () => {
  it('defaults to torch.Generator()\'s seed', () => {
    expect(new Generator().initialSeed()).toBe(67280421310721n);
    expect(BigInt(golden.meta.generator_default_seed)).toBe(67280421310721n);
  });
  it('is a standard mt19937 (first output for seed 5489 is 3499211612)', () => {
    expect(new Generator(5489).nextUint32()).toBe(3499211612);
  });
  it('random64 takes the first draw as the high word', () => {
    const a = new Generator(7), b = new Generator(7);
    const hi = a.nextUint32(), lo = a.nextUint32();
    expect(b.nextUint64()).toBe((BigInt(hi) << 32n) | BigInt(lo));
  });
  it('keeps the 64-bit seed (negative wraps like torch) but seeds mt19937 with its low 32 bits', () => {
    expect(new Generator(-1).initialSeed()).toBe(2n ** 64n - 1n);
    expect(new Generator(2n ** 40n + 5n).nextUint32()).toBe(new Generator(5).nextUint32());
  });
  it('manualSeed seeds and returns defaultGenerator; functions default to it', () => {
    expect(manualSeed(0)).toBe(defaultGenerator);
    const a = new Float64Array(5);
    uniformFill(a);
    const b = new Float64Array(5);
    uniformFill(b, 0, 1, new Generator(0));
    expect(a).toEqual(b);
  });
  it('getState/setState round-trip, including the cached normal sample', () => {
    const g = new Generator(3);
    const x = new Float64Array(3);
    normalFill(x, 0, 1, g); // odd small draw leaves a cached sample
    for (let i = 0; i < 700; i++) g.nextUint32(); // cross a twist
    const s = g.getState();
    const h = new Generator(99);
    h.setState(s);
    expect(h.initialSeed()).toBe(3n);
    const a = new Float64Array(5), b = new Float64Array(5);
    normalFill(a, 0, 1, g);
    normalFill(b, 0, 1, h);
    expect(a).toEqual(b);
    expect(g.nextUint32()).toBe(h.nextUint32());
    expect(() => h.setState(new Uint8Array(10))).toThrow();
  });
  it('seed() reseeds nondeterministically with a 53-bit seed', () => {
    const g = new Generator(1);
    const s = g.seed();
    expect(s).toBe(g.initialSeed());
    expect(s < 2n ** 53n).toBe(true);
    expect(g.nextUint32()).toBe(new Generator(s).nextUint32());
  });
  it('rejects invalid arguments', () => {
    expect(() => randintFill(new Int32Array(2), 5, 5)).toThrow(ArgumentError);
    expect(() => bernoulliFill(new Float32Array(2), 1.5)).toThrow(ArgumentError);
    expect(() => normalFill(new Float32Array(2), 0, -1)).toThrow(ArgumentError);
    expect(() => uniformFill(new Float32Array(2), 1, 0)).toThrow(ArgumentError);
  });
});
