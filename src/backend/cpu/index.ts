// The reference CPU backend: scalar loops over strides on typed arrays. Simple and obviously right;
// it is the oracle every other backend is tested against. Values are computed in float64 and rounded
// on store (float32 stores round to nearest, int32/uint8 stores wrap like C casts).
import type { Backend, BinaryOp, Conv2dParams, ReduceOp, Storage, UnaryOp, View } from '../backend.js';
import { type DType, type TypedArray, dtypeOfArray, typedArrayFor } from '../../tensor/dtype.js';
import { contiguousStrides, idempotentShape, iterate, numel, viewInBounds } from './iter.js';
import { DeviceError, IndexError, ZeroDivisionError, fmtShape } from '../../errors.js';
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight } from './conv.js';

export class CpuStorage implements Storage {
  version = 0;
  constructor(readonly backend: Backend, readonly data: TypedArray, readonly dtype: DType) {}
  get size(): number {
    return this.data.length;
  }
}

/** The data under a view, which must lie inside its storage (the same guard as the wasm backend's). */
function buf(v: View): TypedArray {
  if (!viewInBounds(v))
    throw new IndexError(
      `cpu backend: a view of shape ${fmtShape(v.shape)}, strides ${fmtShape(v.strides)} and offset ${v.offset} reaches outside its storage of ${v.storage.size} elements (an unchecked index or size: please report it)`,
    );
  return data(v.storage);
}
function data(s: Storage): TypedArray {
  const d = (s as CpuStorage).data;
  if (d === undefined || s.backend.name !== 'cpu')
    throw new DeviceError(`cpu backend: got a tensor on device '${s.backend.name}' in an op on 'cpu' tensors; move it first with .to('cpu') (or the others with .to('${s.backend.name}'))`);
  return d;
}

function erf(x: number): number {
  // NOTE: Abramowitz-Stegun 7.1.26 is only 1e-7 accurate; use a series/continued fraction split instead.
  const ax = Math.abs(x);
  if (ax >= 6) return Math.sign(x); // 1 - erf(6) < 3e-17; also erf(±inf) = ±1
  if (ax < 2.5) {
    let sum = ax, term = ax;
    const x2 = ax * ax;
    for (let n = 1; n < 60; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc continued fraction (Lentz) for the tail
  let f = ax, c = ax, d = 0;
  for (let n = 1; n < 200; n++) {
    const an = n / 2;
    d = ax + an * d;
    d = d === 0 ? 1e-300 : 1 / d;
    c = ax + an / c;
    if (c === 0) c = 1e-300;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}

const UNARY: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  abs: Math.abs,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tanh: Math.tanh,
  relu: (x) => (x > 0 ? x : x !== x ? x : 0),
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  floor: Math.floor,
  ceil: Math.ceil,
  // NOTE: torch.round rounds half to even.
  round: (x) => {
    const r = Math.round(x);
    return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  },
  trunc: Math.trunc,
  // NOTE: torch.sign(nan) is 0 ((0 < x) - (x < 0)).
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0),
  reciprocal: (x) => 1 / x,
  expm1: Math.expm1,
  log1p: Math.log1p,
  log2: Math.log2,
  exp2: (x) => 2 ** x,
  square: (x) => x * x,
  logicalNot: (x) => (x === 0 ? 1 : 0),
  isnan: (x) => (x !== x ? 1 : 0),
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  erf,
  frac: (x) => x - Math.trunc(x),
};

function intDivCheck(b: number): void {
  if (b === 0) throw new ZeroDivisionError('ZeroDivisionError: integer division or modulo by zero');
}

/** Integer power as torch's powi: negative exponents give 0 except for bases 1 and -1. */
function intPow(a: number, b: number): number {
  if (b < 0) return a === 1 ? 1 : a === -1 ? (b % 2 === 0 ? 1 : -1) : 0;
  return Number(BigInt.asIntN(64, BigInt(a) ** BigInt(b)));
}

/** torch's div_floor_floating: Python's `//` on floats (fmod-based, so -inf // 1 is nan and 3 // -inf is -1). */
function floorDivFloat(a: number, b: number): number {
  if (b === 0) return a / b;
  const mod = a % b;
  let div = (a - mod) / b;
  if (mod !== 0 && b < 0 !== mod < 0) div -= 1;
  if (div === 0) return a / b < 0 || Object.is(a / b, -0) ? -0 : 0;
  let fd = Math.floor(div);
  if (div - fd > 0.5) fd += 1;
  return fd;
}

function binaryFn(op: BinaryOp, dtype: DType): (a: number, b: number) => number {
  const int = dtype === 'int32' || dtype === 'uint8' || dtype === 'bool';
  switch (op) {
    case 'add': return (a, b) => a + b;
    case 'sub': return (a, b) => a - b;
    case 'mul': return int ? (a, b) => Math.imul(a, b) : (a, b) => a * b;
    case 'div': return (a, b) => a / b;
    case 'pow': return int ? intPow : (a, b) => (a === 1 || b === 0 ? 1 : a ** b);
    case 'maximum': return (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b);
    case 'minimum': return (a, b) => (a !== a || b !== b ? NaN : a < b ? a : b);
    case 'floorDivide': return int ? (a, b) => (intDivCheck(b), Math.floor(a / b)) : floorDivFloat;
    case 'remainder':
      return int
        ? (a, b) => (intDivCheck(b), a - Math.floor(a / b) * b)
        : (a, b) => {
            const r = a % b;
            return r !== 0 && (r < 0) !== (b < 0) ? r + b : r;
          };
    case 'atan2': return Math.atan2;
    case 'eq': return (a, b) => (a === b ? 1 : 0);
    case 'ne': return (a, b) => (a !== b ? 1 : 0);
    case 'lt': return (a, b) => (a < b ? 1 : 0);
    case 'le': return (a, b) => (a <= b ? 1 : 0);
    case 'gt': return (a, b) => (a > b ? 1 : 0);
    case 'ge': return (a, b) => (a >= b ? 1 : 0);
    case 'logicalAnd': return (a, b) => (a !== 0 && b !== 0 ? 1 : 0);
    case 'logicalOr': return (a, b) => (a !== 0 || b !== 0 ? 1 : 0);
    case 'logicalXor': return (a, b) => ((a !== 0) !== (b !== 0) ? 1 : 0);
    case 'bitwiseAnd': return (a, b) => a & b;
    case 'bitwiseOr': return (a, b) => a | b;
    case 'bitwiseXor': return (a, b) => a ^ b;
  }
}

/** Broadcast-free scalar operand: a 0-stride view over a one-element array. */
function operand(v: View | number, shape: readonly number[]): [TypedArray, readonly number[], number] {
  if (typeof v === 'number') return [Float64Array.of(v), new Array<number>(shape.length).fill(0), 0];
  return [buf(v), v.strides, v.offset];
}

export function createCpuBackend(): Backend {
  const be: Backend = {
    name: 'cpu',
    isCpu: true,
    alloc: (dtype, size) => new CpuStorage(be, typedArrayFor(dtype, size), dtype),
    fromArray: (data) => new CpuStorage(be, data, dtypeOfArray(data)),
    read: (s) => data(s),
    readAsync: async (s) => data(s),
    free: () => {},
    fill(out, value) {
      const o = buf(out);
      iterate(out.shape, [out.strides], [out.offset], (of, n, inn) => {
        for (let i = 0, io = of[0]!; i < n; i++, io += inn[0]!) o[io] = value;
      });
    },
    copy(x, out) {
      const xd = buf(x), od = buf(out);
      const toBool = out.storage.dtype === 'bool';
      iterate(out.shape, [x.strides, out.strides], [x.offset, out.offset], (of, n, inn) => {
        let ix = of[0]!, io = of[1]!;
        const sx = inn[0]!, so = inn[1]!;
        if (toBool) for (let i = 0; i < n; i++, ix += sx, io += so) od[io] = xd[ix] !== 0 ? 1 : 0;
        else for (let i = 0; i < n; i++, ix += sx, io += so) od[io] = xd[ix]!;
      });
    },
    unary(op, x, out) {
      const f = UNARY[op];
      const xd = buf(x), od = buf(out);
      iterate(out.shape, [x.strides, out.strides], [x.offset, out.offset], (of, n, inn) => {
        let ix = of[0]!, io = of[1]!;
        const sx = inn[0]!, so = inn[1]!;
        for (let i = 0; i < n; i++, ix += sx, io += so) od[io] = f(xd[ix]!);
      });
    },
    binary(op, a, b, out) {
      const dt = typeof a === 'number' ? (b as View).storage.dtype : a.storage.dtype;
      const f = binaryFn(op, dt);
      const [ad, as, ao] = operand(a, out.shape);
      const [bd, bs, bo] = operand(b, out.shape);
      const od = buf(out);
      iterate(out.shape, [as, bs, out.strides], [ao, bo, out.offset], (of, n, inn) => {
        let ia = of[0]!, ib = of[1]!, io = of[2]!;
        const sa = inn[0]!, sb = inn[1]!, so = inn[2]!;
        for (let i = 0; i < n; i++, ia += sa, ib += sb, io += so) od[io] = f(ad[ia]!, bd[ib]!);
      });
    },
    where(cond, a, b, out) {
      const cd = buf(cond);
      const [ad, as, ao] = operand(a, out.shape);
      const [bd, bs, bo] = operand(b, out.shape);
      const od = buf(out);
      iterate(out.shape, [cond.strides, as, bs, out.strides], [cond.offset, ao, bo, out.offset], (of, n, inn) => {
        let ic = of[0]!, ia = of[1]!, ib = of[2]!, io = of[3]!;
        for (let i = 0; i < n; i++, ic += inn[0]!, ia += inn[1]!, ib += inn[2]!, io += inn[3]!) od[io] = cd[ic] ? ad[ia]! : bd[ib]!;
      });
    },
    clamp(x, min, max, out) {
      const lo = min ?? -Infinity, hi = max ?? Infinity;
      const xd = buf(x), od = buf(out);
      iterate(out.shape, [x.strides, out.strides], [x.offset, out.offset], (of, n, inn) => {
        let ix = of[0]!, io = of[1]!;
        for (let i = 0; i < n; i++, ix += inn[0]!, io += inn[1]!) {
          const v = xd[ix]!;
          // NOTE: torch.clamp applies min then max, so min > max gives max everywhere.
          od[io] = v !== v ? v : Math.min(Math.max(v, lo), hi);
        }
      });
    },
    reduce(op, x, axes, out) {
      reduceKernel(op, x, axes, out);
    },
    argReduce(op, x, axis, out) {
      const xd = buf(x), od = buf(out);
      const len = x.shape[axis]!, sAx = x.strides[axis]!;
      const isMax = op === 'argmax';
      iterate(out.shape, [x.strides, out.strides], [x.offset, out.offset], (of, n, inn) => {
        let ix = of[0]!, io = of[1]!;
        for (let i = 0; i < n; i++, ix += inn[0]!, io += inn[1]!) {
          let best = xd[ix]!, bi = 0;
          for (let k = 1; k < len && best === best; k++) {
            const v = xd[ix + k * sAx]!;
            if (v !== v || (isMax ? v > best : v < best)) (best = v), (bi = k);
          }
          od[io] = bi;
        }
      });
    },
    cumsum(x, axis, out) {
      const xd = buf(x), od = buf(out);
      const len = x.shape[axis]!, sx = x.strides[axis]!, so = out.strides[axis]!;
      const shape = x.shape.slice();
      shape[axis] = 1;
      iterate(shape, [x.strides, out.strides], [x.offset, out.offset], (of, n, inn) => {
        let ix = of[0]!, io = of[1]!;
        for (let i = 0; i < n; i++, ix += inn[0]!, io += inn[1]!) {
          let acc = 0;
          for (let k = 0; k < len; k++) od[io + k * so] = acc += xd[ix + k * sx]!;
        }
      });
    },
    matmul(a, b, out) {
      const ad = buf(a), bd = buf(b), od = buf(out);
      const [B, M, K] = a.shape as [number, number, number];
      const N = b.shape[2]!;
      const acc = new Float64Array(N);
      const [sab, sam, sak] = a.strides as [number, number, number];
      const [sbb, sbk, sbn] = b.strides as [number, number, number];
      const [sob, som, son] = out.strides as [number, number, number];
      for (let bi = 0; bi < B; bi++) {
        for (let i = 0; i < M; i++) {
          acc.fill(0);
          const aRow = a.offset + bi * sab + i * sam;
          for (let k = 0; k < K; k++) {
            const av = ad[aRow + k * sak]!;
            if (av === 0) continue;
            const bRow = b.offset + bi * sbb + k * sbk;
            for (let j = 0; j < N; j++) acc[j]! += av * bd[bRow + j * sbn]!;
          }
          const oRow = out.offset + bi * sob + i * som;
          for (let j = 0; j < N; j++) od[oRow + j * son] = acc[j]!;
        }
      }
    },
    gather(x, axis, index, out) {
      const xd = buf(x), id = buf(index), od = buf(out);
      const len = x.shape[axis]!, sAx = x.strides[axis]!;
      const xs = x.strides.slice();
      xs[axis] = 0;
      iterate(out.shape, [xs, index.strides, out.strides], [x.offset, index.offset, out.offset], (of, n, inn) => {
        let ix = of[0]!, ii = of[1]!, io = of[2]!;
        for (let i = 0; i < n; i++, ix += inn[0]!, ii += inn[1]!, io += inn[2]!) {
          const k = id[ii]!;
          if (k < 0 || k >= len) throw new IndexError(`gather: index ${k} is out of bounds for dimension ${axis} with size ${len}`);
          od[io] = xd[ix + k * sAx]!;
        }
      });
    },
    scatterAdd(out, axis, index, src) {
      const sd = buf(src), id = buf(index), od = buf(out);
      const len = out.shape[axis]!, sAx = out.strides[axis]!;
      const os = out.strides.slice();
      os[axis] = 0;
      iterate(index.shape, [os, index.strides, src.strides], [out.offset, index.offset, src.offset], (of, n, inn) => {
        let io = of[0]!, ii = of[1]!, is = of[2]!;
        for (let i = 0; i < n; i++, io += inn[0]!, ii += inn[1]!, is += inn[2]!) {
          const k = id[ii]!;
          if (k < 0 || k >= len) throw new IndexError(`scatter_add: index ${k} is out of bounds for dimension ${axis} with size ${len}`);
          od[io + k * sAx] += sd[is]!;
        }
      });
    },
    conv2d: (x, w, out, p: Conv2dParams) => conv2d(buf(x), x, buf(w), w, buf(out), out, p),
    conv2dBackwardInput: (g, w, gi, p) => conv2dBackwardInput(buf(g), g, buf(w), w, buf(gi), gi, p),
    conv2dBackwardWeight: (x, g, gw, p) => conv2dBackwardWeight(buf(x), x, buf(g), g, buf(gw), gw, p),
  };
  return be;
}

function reduceKernel(op: ReduceOp, x: View, axes: readonly number[], out: View): void {
  const xd = buf(x), od = buf(out);
  const total = numel(out.shape);
  const init = op === 'sum' ? 0 : op === 'prod' ? 1 : op === 'max' ? -Infinity : Infinity;
  // NOTE: accumulate in float64 (torch accumulates float32 sums in a wider/cascaded way too).
  const acc = new Float64Array(total).fill(init);
  const accStrides = contiguousStrides(out.shape);
  for (const a of axes) accStrides[a] = 0;
  iterate(idempotentShape(op, x, axes), [x.strides, accStrides], [x.offset, 0], (of, n, inn) => {
    let ix = of[0]!, ia = of[1]!;
    const sx = inn[0]!, sa = inn[1]!;
    // NOTE: a row into one accumulator (sa = 0) sums in a local: the same float64 additions, no stores
    switch (op) {
      case 'sum':
        if (sa === 0) {
          let s = acc[ia]!;
          for (let i = 0; i < n; i++, ix += sx) s += xd[ix]!;
          acc[ia] = s;
        } else for (let i = 0; i < n; i++, ix += sx, ia += sa) acc[ia]! += xd[ix]!;
        break;
      case 'prod': for (let i = 0; i < n; i++, ix += sx, ia += sa) acc[ia]! *= xd[ix]!; break;
      case 'max':
        for (let i = 0; i < n; i++, ix += sx, ia += sa) {
          const v = xd[ix]!;
          if (v > acc[ia]! || v !== v) acc[ia] = v;
        }
        break;
      case 'min':
        for (let i = 0; i < n; i++, ix += sx, ia += sa) {
          const v = xd[ix]!;
          if (v < acc[ia]! || v !== v) acc[ia] = v;
        }
        break;
    }
  });
  let k = 0;
  iterate(out.shape, [out.strides], [out.offset], (of, n, inn) => {
    for (let i = 0, io = of[0]!; i < n; i++, io += inn[0]!) od[io] = acc[k++]!;
  });
}
