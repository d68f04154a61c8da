// The wasm backend against the reference backend, primitive by primitive: the same inputs (random
// data in random layouts: permuted, stepped, negative and zero strides, offsets, odd sizes that leave
// SIMD tails, empty and 0-d shapes) on both, and the whole output storage compared. Exact where the
// kernels promise bit-identical results, within stated tolerances where they do not (see TOL).
import { beforeAll, describe, expect, it } from 'vitest';
import { type Backend, type View, getBackend, initBackend } from '../../src/index.js';
import { BINARY_OPS, UNARY_OPS, COMPARISON_OPS, type BinaryOp, type UnaryOp } from '../../src/backend/backend.js';
import type { DType, TypedArray } from '../../src/tensor/dtype.js';
import { createWasmBackend } from '../../src/backend/wasm/index.js';

let cpu: Backend, wasm: Backend;
beforeAll(() => {
  cpu = getBackend('cpu');
});

// ---------------- deterministic random data ----------------
let seed = 12345;
const rnd = (): number => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return ((seed >>> 8) & 0xffffff) / 0x1000000;
};
const randInt = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));

function values(dtype: DType, n: number, kind: 'any' | 'small' | 'positive' = 'any'): TypedArray {
  const a = dtype === 'float32' ? new Float32Array(n) : dtype === 'float64' ? new Float64Array(n) : dtype === 'int32' ? new Int32Array(n) : new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const r = rnd();
    if (dtype === 'float32' || dtype === 'float64') {
      if (kind === 'positive') a[i] = 0.05 + rnd() * 4;
      else if (kind === 'small') a[i] = (rnd() - 0.5) * 4;
      else if (r < 0.04) a[i] = [NaN, Infinity, -Infinity, -0, 0, 0.5, -2.5, 1e30, -1e-30][randInt(0, 8)]!;
      else if (r < 0.15) a[i] = randInt(-6, 6) + (rnd() < 0.5 ? 0.5 : 0);
      else a[i] = (rnd() - 0.5) * 10;
    } else if (dtype === 'int32') {
      a[i] = kind === 'small' ? randInt(-5, 5) : kind === 'positive' ? randInt(1, 9) : r < 0.05 ? [2147483647, -2147483648, 0][randInt(0, 2)]! : randInt(-100, 100);
    } else if (dtype === 'bool') a[i] = randInt(0, 1);
    else a[i] = kind === 'small' ? randInt(0, 5) : kind === 'positive' ? randInt(1, 9) : randInt(0, 255);
  }
  return a;
}

// ---------------- layouts ----------------
interface Layout {
  shape: number[];
  strides: number[];
  offset: number;
  size: number;
}

/** A random strided layout for `shape`: permuted dims, steps, negative strides, 0-strides (broadcast). */
function layout(shape: readonly number[], style: 'contig' | 'random', broadcast = false): Layout {
  const nd = shape.length;
  if (style === 'contig') {
    const strides = new Array<number>(nd);
    let acc = 1;
    for (let d = nd - 1; d >= 0; d--) (strides[d] = acc), (acc *= shape[d]!);
    return { shape: shape.slice(), strides, offset: 0, size: Math.max(acc, 0) };
  }
  const perm = [...Array(nd).keys()].sort(() => rnd() - 0.5);
  const strides = new Array<number>(nd).fill(0);
  let acc = 1, offset = randInt(0, 3);
  for (let i = nd - 1; i >= 0; i--) {
    const d = perm[i]!;
    if (broadcast && shape[d]! > 1 && rnd() < 0.3) continue; // stride 0
    const step = rnd() < 0.25 ? 2 : 1;
    strides[d] = acc * step;
    acc *= Math.max(shape[d]! * step, 1);
  }
  const empty = shape.some((s) => s === 0);
  for (let d = 0; d < nd; d++) {
    if (strides[d]! > 0 && rnd() < 0.3 && !empty) {
      offset += (shape[d]! - 1) * strides[d]!;
      strides[d] = -strides[d]!;
    }
  }
  return { shape: shape.slice(), strides, offset, size: acc + offset + 2 };
}

/** The same values, as a view, on both backends. */
function pair(l: Layout, data: TypedArray, dtype: DType): [View, View] {
  const mk = (be: Backend): View => {
    const s = be.fromArray(data.slice() as TypedArray);
    if (dtype === 'bool') (s as { dtype: DType }).dtype = 'bool';
    return { storage: s, shape: l.shape, strides: l.strides, offset: l.offset };
  };
  return [mk(cpu), mk(wasm)];
}

function input(shape: readonly number[], dtype: DType, style: 'contig' | 'random', kind: 'any' | 'small' | 'positive' = 'any', broadcast = true): [View, View] {
  const l = layout(shape, style, broadcast);
  return pair(l, values(dtype, l.size, kind), dtype);
}

function output(shape: readonly number[], dtype: DType, style: 'contig' | 'random'): [View, View] {
  const l = layout(shape, style, false);
  return pair(l, values(dtype, l.size), dtype);
}

function same(a: number, b: number, atol: number, rtol: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (atol === 0 && rtol === 0) return Object.is(a, b);
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= atol + rtol * Math.abs(a);
}

/** Compare the whole output storages. */
function expectSame(c: View, w: View, what: string, atol = 0, rtol = 0): void {
  const a = cpu.readSync!(c.storage), b = wasm.readSync!(w.storage);
  expect(b.length, what).toBe(a.length);
  for (let i = 0; i < a.length; i++) {
    if (!same(a[i]!, b[i]!, atol, rtol)) expect.fail(`${what}: element ${i} of the storage: wasm ${b[i]}, reference ${a[i]} (atol ${atol}, rtol ${rtol})`);
  }
}

// Tolerances as data: where the kernels are not bit-identical to the reference, and why.
// NOTE: transcendental functions come from AssemblyScript's musl-derived Math on wasm and V8's fdlibm in
// the reference: both within ~1 ulp in float64, so float32 results agree except near rounding ties.
const TRANSCENDENTAL: ReadonlySet<UnaryOp> = new Set(['exp', 'log', 'sigmoid', 'tanh', 'sin', 'cos', 'tan', 'expm1', 'log1p', 'log2', 'exp2', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'erf', 'rsqrt']);
const TOL: Record<string, [number, number]> = {
  transcendental_float32: [1e-30, 2.5e-7],
  transcendental_float64: [1e-300, 1e-14],
  // float32 sums: four float64 partial sums (SIMD) instead of one sequential float64 sum
  sum_float32: [1e-6, 1e-6],
  // packed SIMD sgemm accumulates in float32 (fma where available); the reference in float64
  matmul_float32: [2e-5, 2e-5],
  // conv via im2col + sgemm (float32 accumulation); float64 via a float64 GEMM in another order
  conv_float32: [5e-5, 5e-5],
  conv_float64: [1e-12, 1e-12],
};

const SHAPES: number[][] = [[], [0], [1], [3], [7], [33], [130], [4, 5], [3, 0, 2], [2, 3, 4], [1, 17], [2, 1, 3, 5], [5, 7, 9], [2, 2, 2, 2, 3]];
const STYLES = ['contig', 'random', 'random'] as const;
const ALL: DType[] = ['float32', 'float64', 'int32', 'uint8', 'bool'];

// Both kinds of build: the shared-memory one (Node, cross-origin isolated pages) and the single-threaded
// -st one on a plain memory (pages without cross-origin isolation): the same kernels, so the same results.
const builds: [string, () => Promise<Backend>][] = [
  ['shared memory', () => initBackend('wasm')],
  ['-st build, plain memory', () => createWasmBackend({ shared: false })],
];
describe.each(builds)('wasm backend (%s) matches the reference backend', (_build, make) => {
  beforeAll(async () => {
    wasm = await make();
  });
  it('fill', () => {
    for (const dt of ALL)
      for (const shape of SHAPES)
        for (const style of STYLES)
          for (const v of [0, 1, -2.5, 300, NaN, 2 ** 32 + 5]) {
            const [c, w] = output(shape, dt, style);
            cpu.fill(c, v);
            wasm.fill(w, v);
            expectSame(c, w, `fill ${dt} ${v} [${shape}] ${style}`);
          }
  });

  it('copy / cast', () => {
    for (const from of ALL)
      for (const to of ALL)
        for (const shape of SHAPES)
          for (const style of STYLES) {
            const [xc, xw] = input(shape, from, style, 'any', false);
            const [c, w] = output(shape, to, style);
            cpu.copy(xc, c);
            wasm.copy(xw, w);
            expectSame(c, w, `copy ${from}->${to} [${shape}] ${style}`);
          }
  });

  it('copy of an expanded (0-stride) source', () => {
    const [xc, xw] = input([3, 1, 5], 'float32', 'contig');
    const exp = (v: View): View => ({ ...v, shape: [3, 4, 5], strides: [5, 0, 1] });
    const [c, w] = output([3, 4, 5], 'float32', 'random');
    cpu.copy(exp(xc), c);
    wasm.copy(exp(xw), w);
    expectSame(c, w, 'expand copy');
  });

  for (const op of UNARY_OPS) {
    it(`unary ${op}`, () => {
      // NOTE: the ops layer casts integers to float before a transcendental op; on int outputs a 1-ulp
      // difference would be magnified by the int32 wrap, so those combinations are not compared.
      const dts: DType[] = TRANSCENDENTAL.has(op) ? ['float32', 'float64'] : ['float32', 'float64', 'int32', 'uint8'];
      for (const dt of dts) {
        const outDt: DType = op === 'logicalNot' || op === 'isnan' ? 'bool' : dt;
        for (const shape of SHAPES)
          for (const style of STYLES) {
            const [xc, xw] = input(shape, dt, style);
            const [c, w] = output(shape, outDt, style);
            cpu.unary(op, xc, c);
            wasm.unary(op, xw, w);
            const tol = TRANSCENDENTAL.has(op) ? (TOL[`transcendental_${dt}`] ?? [0, 0]) : [0, 0];
            expectSame(c, w, `${op} ${dt} [${shape}] ${style}`, tol[0], tol[1]);
          }
      }
    });
  }

  for (const op of BINARY_OPS) {
    it(`binary ${op}`, () => {
      const dts: DType[] = op.startsWith('bitwise') ? ['int32', 'uint8', 'bool'] : op === 'atan2' ? ['float32', 'float64'] : ['float32', 'float64', 'int32', 'uint8'];
      for (const dt of dts) {
        const outDt: DType = COMPARISON_OPS.has(op) ? 'bool' : dt;
        const intDiv = (op === 'floorDivide' || op === 'remainder') && dt !== 'float32' && dt !== 'float64';
        const kindB = intDiv ? 'positive' : op === 'pow' ? 'small' : 'any';
        const kindA = op === 'pow' ? 'small' : 'any';
        const tol: [number, number] = op === 'pow' || op === 'atan2' ? (dt === 'float32' ? [1e-30, 2.5e-7] : [1e-300, 1e-14]) : [0, 0];
        for (const shape of SHAPES)
          for (const style of STYLES) {
            const [ac, aw] = input(shape, dt, style, kindA);
            const [bc, bw] = input(shape, dt, style, kindB);
            const [c, w] = output(shape, outDt, style);
            cpu.binary(op, ac, bc, c);
            wasm.binary(op, aw, bw, w);
            expectSame(c, w, `${op} ${dt} [${shape}] ${style}`, tol[0], tol[1]);
            // scalar operands (as the ops layer passes them), incl. one not representable in float32
            for (const s of op === 'pow' ? [2, 3, 0.5, -1, -2] : [3, -1.5, 16777217, 0.1]) {
              if (intDiv && s <= 0) continue;
              const sv = dt === 'float32' || dt === 'float64' ? s : Math.trunc(s) || 2;
              const [c2, w2] = output(shape, outDt, style);
              cpu.binary(op, ac, sv, c2);
              wasm.binary(op, aw, sv, w2);
              expectSame(c2, w2, `${op} ${dt} [${shape}] ${style} tensor-scalar ${sv}`, tol[0], tol[1]);
              if (op !== 'pow') {
                const [c3, w3] = output(shape, outDt, style);
                cpu.binary(op, sv, bc, c3);
                wasm.binary(op, sv, bw, w3);
                expectSame(c3, w3, `${op} ${dt} [${shape}] ${style} scalar-tensor ${sv}`, tol[0], tol[1]);
              }
            }
          }
      }
    });
  }

  it('integer division by zero throws like the reference', () => {
    for (const op of ['floorDivide', 'remainder'] as BinaryOp[]) {
      const [ac, aw] = input([5], 'int32', 'contig');
      const [c, w] = output([5], 'int32', 'contig');
      expect(() => cpu.binary(op, ac, 0, c)).toThrow(/ZeroDivisionError/);
      expect(() => wasm.binary(op, aw, 0, w)).toThrow(/ZeroDivisionError/);
    }
  });

  it('where', () => {
    for (const dt of ALL)
      for (const shape of SHAPES)
        for (const style of STYLES) {
          const [cc, cw] = input(shape, 'bool', style);
          const [ac, aw] = input(shape, dt, style);
          const [bc, bw] = input(shape, dt, style);
          const [c, w] = output(shape, dt, style);
          cpu.where(cc, ac, bc, c);
          wasm.where(cw, aw, bw, w);
          expectSame(c, w, `where ${dt} [${shape}] ${style}`);
          const [c2, w2] = output(shape, dt, style);
          cpu.where(cc, 1, bc, c2);
          wasm.where(cw, 1, bw, w2);
          expectSame(c2, w2, `where scalar ${dt} [${shape}] ${style}`);
        }
  });

  it('clamp', () => {
    for (const dt of ['float32', 'float64', 'int32', 'uint8'] as DType[])
      for (const shape of SHAPES)
        for (const style of STYLES)
          for (const [lo, hi] of [[-1, 2], [null, 0], [0, null], [3, -3]] as [number | null, number | null][]) {
            const [xc, xw] = input(shape, dt, style);
            const [c, w] = output(shape, dt, style);
            cpu.clamp(xc, lo, hi, c);
            wasm.clamp(xw, lo, hi, w);
            expectSame(c, w, `clamp ${dt} ${lo} ${hi} [${shape}] ${style}`);
          }
  });

  it('reduce', () => {
    const shapes = [[7], [130], [4, 5], [3, 0, 2], [2, 3, 4], [1, 17], [2, 1, 3, 5], [5, 7, 9], [3, 1000]];
    for (const op of ['sum', 'prod', 'max', 'min'] as const)
      for (const dt of ['float32', 'float64', 'int32', 'uint8'] as DType[])
        for (const shape of shapes)
          for (const style of STYLES) {
            const nd = shape.length;
            const axesSets: number[][] = [[...Array(nd).keys()], [nd - 1], [0]];
            if (nd >= 3) axesSets.push([0, 2], [1]);
            for (const axes of axesSets) {
              const [xc, xw] = input(shape, dt, style, op === 'prod' ? 'small' : 'any');
              const oshape = shape.map((s, i) => (axes.includes(i) ? 1 : s));
              const [c, w] = output(oshape, dt, style);
              cpu.reduce(op, xc, axes, c);
              wasm.reduce(op, xw, axes, w);
              const tol = op === 'sum' && dt === 'float32' ? TOL.sum_float32! : [0, 0];
              expectSame(c, w, `${op} ${dt} [${shape}] axes ${axes} ${style}`, tol[0], tol[1]);
            }
          }
  });

  it('argReduce and cumsum', () => {
    const shapes = [[7], [130], [4, 5], [2, 3, 4], [1, 17], [2, 1, 3, 5], [5, 7, 9]];
    for (const dt of ['float32', 'float64', 'int32', 'uint8'] as DType[])
      for (const shape of shapes)
        for (const style of STYLES)
          for (let axis = 0; axis < shape.length; axis++) {
            for (const op of ['argmax', 'argmin'] as const) {
              const [xc, xw] = input(shape, dt, style);
              const oshape = shape.map((s, i) => (i === axis ? 1 : s));
              const [c, w] = output(oshape, 'int32', style);
              cpu.argReduce(op, xc, axis, c);
              wasm.argReduce(op, xw, axis, w);
              expectSame(c, w, `${op} ${dt} [${shape}] axis ${axis} ${style}`);
            }
            const [xc, xw] = input(shape, dt, style, 'any', false);
            const [c, w] = output(shape, dt, style);
            cpu.cumsum(xc, axis, c);
            wasm.cumsum(xw, axis, w);
            expectSame(c, w, `cumsum ${dt} [${shape}] axis ${axis} ${style}`);
          }
  });

  it('gather and scatterAdd', () => {
    const shapes = [[7], [4, 5], [2, 3, 4], [3, 1, 6]];
    for (const dt of ['float32', 'float64', 'int32', 'uint8'] as DType[])
      for (const idt of ['int32', 'uint8'] as DType[])
        for (const shape of shapes)
          for (const style of STYLES)
            for (let axis = 0; axis < shape.length; axis++) {
              const ishape = shape.map((s, i) => (i === axis ? 5 : Math.max(1, s - (i % 2))));
              const len = shape[axis]!;
              const il = layout(ishape, style, false);
              const idx = values(idt, il.size);
              for (let i = 0; i < idx.length; i++) idx[i] = randInt(0, len - 1);
              const [ic, iw] = pair(il, idx, idt);
              const [xc, xw] = input(shape, dt, style);
              const [c, w] = output(ishape, dt, style);
              cpu.gather(xc, axis, ic, c);
              wasm.gather(xw, axis, iw, w);
              expectSame(c, w, `gather ${dt}/${idt} [${shape}] axis ${axis} ${style}`);
              const [sc, sw] = input(ishape, dt, style, 'small', false);
              const [oc, ow] = output(shape, dt, style);
              cpu.scatterAdd(oc, axis, ic, sc);
              wasm.scatterAdd(ow, axis, iw, sw);
              expectSame(oc, ow, `scatterAdd ${dt}/${idt} [${shape}] axis ${axis} ${style}`);
            }
    const [xc, xw] = input([4], 'float32', 'contig');
    const [ic, iw] = pair(layout([2], 'contig'), Int32Array.of(1, 4), 'int32');
    const [c, w] = output([2], 'float32', 'contig');
    expect(() => cpu.gather(xc, 0, ic, c)).toThrow('gather: index 4 is out of bounds for dimension 0 with size 4');
    expect(() => wasm.gather(xw, 0, iw, w)).toThrow('gather: index 4 is out of bounds for dimension 0 with size 4');
    expect(() => wasm.scatterAdd(xw, 0, iw, w)).toThrow('scatter_add: index 4 is out of bounds for dimension 0 with size 4');
  });

  it('matmul (batched, transposed and broadcast operands, every dtype)', () => {
    const dims = [[1, 1, 1, 1], [1, 3, 4, 5], [2, 7, 9, 5], [3, 17, 13, 33], [1, 64, 64, 64], [2, 65, 129, 70], [1, 1, 300, 1], [1, 130, 1, 257], [1, 0, 3, 4], [2, 3, 0, 4], [1, 200, 300, 260]];
    for (const dt of ['float32', 'float64', 'int32', 'uint8'] as DType[])
      for (const [B, M, K, N] of dims)
        for (const style of STYLES) {
          if (dt !== 'float32' && M! * N! * K! > 100000) continue;
          const kind = dt === 'float32' || dt === 'float64' ? 'small' : 'small';
          const [ac, aw] = input([B!, M!, K!], dt, style, kind);
          const [bc, bw] = input([B!, K!, N!], dt, style, kind);
          const [c, w] = output([B!, M!, N!], dt, style);
          cpu.matmul(ac, bc, c);
          wasm.matmul(aw, bw, w);
          const tol = dt === 'float32' ? TOL.matmul_float32! : [0, 0];
          expectSame(c, w, `matmul ${dt} ${B}x${M}x${K}x${N} ${style}`, tol[0]! * Math.sqrt(K!) * 4, tol[1]!);
        }
  });

  it('conv2d forward and both backward passes', () => {
    const cases: [number[], number[], { stride: [number, number]; padding: [number, number]; dilation: [number, number]; groups: number }][] = [
      [[2, 3, 7, 6], [4, 3, 3, 3], { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 }],
      [[1, 4, 9, 9], [6, 2, 3, 2], { stride: [2, 1], padding: [0, 2], dilation: [1, 2], groups: 2 }],
      [[3, 5, 6, 6], [8, 5, 1, 1], { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 }],
      [[2, 6, 11, 10], [6, 1, 5, 3], { stride: [3, 2], padding: [2, 1], dilation: [2, 1], groups: 6 }],
      [[2, 16, 14, 14], [24, 16, 3, 3], { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 }],
      [[1, 2, 4, 4], [3, 2, 4, 4], { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 }],
      // large enough to be split across the worker threads (images; partial weight gradients summed)
      [[4, 16, 20, 20], [32, 8, 3, 3], { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 2 }],
    ];
    for (const dt of ['float32', 'float64', 'int32'] as DType[])
      for (const [xs, wsh, p] of cases)
        for (const style of STYLES) {
          const [N, , H, W] = xs as [number, number, number, number];
          const [O, , KH, KW] = wsh as [number, number, number, number];
          const OH = Math.floor((H + 2 * p.padding[0] - p.dilation[0] * (KH - 1) - 1) / p.stride[0]) + 1;
          const OW = Math.floor((W + 2 * p.padding[1] - p.dilation[1] * (KW - 1) - 1) / p.stride[1]) + 1;
          const os = [N, O, OH, OW];
          const tol = TOL[`conv_${dt}`] ?? [0, 0];
          const [xc, xw] = input(xs, dt, style, 'small', false);
          const [wc, ww] = input(wsh, dt, style, 'small', false);
          const [gc, gw] = input(os, dt, style, 'small', false);
          const [c, w] = output(os, dt, style);
          cpu.conv2d(xc, wc, c, p);
          wasm.conv2d(xw, ww, w, p);
          expectSame(c, w, `conv2d ${dt} ${xs} ${wsh} ${style}`, tol[0], tol[1]);
          const [c2, w2] = output(xs, dt, style);
          cpu.conv2dBackwardInput(gc, wc, c2, p);
          wasm.conv2dBackwardInput(gw, ww, w2, p);
          expectSame(c2, w2, `conv2dBackwardInput ${dt} ${xs} ${wsh} ${style}`, tol[0], tol[1]);
          const [c3, w3] = output(wsh, dt, style);
          cpu.conv2dBackwardWeight(xc, gc, c3, p);
          wasm.conv2dBackwardWeight(xw, gw, w3, p);
          expectSame(c3, w3, `conv2dBackwardWeight ${dt} ${xs} ${wsh} ${style}`, tol[0] * 10, tol[1]);
        }
  });
});
