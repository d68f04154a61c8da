// The reference backend's elementwise kernels: one scalar function per primitive of the table in
// src/backend/ops.ts, computed in float64 (the backend rounds on store).
import type { BinaryOp, UnaryOp } from '../ops.js';
import type { DType } from '../../tensor/dtype.js';
import { ZeroDivisionError } from '../../errors.js';

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

/** The unary kernels, in UNARY_OPS order (Note [Primitive table]); values in float64, rounded on store. */
export const UNARY: { readonly [P in UnaryOp]: (x: number) => number } = {
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

type BinaryFn = (a: number, b: number) => number;

/**
 * The binary kernels, in BINARY_OPS order (Note [Primitive table]); `int` is an integral compute
 * dtype (int32, uint8, bool), whose semantics differ for mul, pow, floorDivide and remainder.
 */
export const BINARY: { readonly [P in BinaryOp]: (int: boolean) => BinaryFn } = {
  add: () => (a, b) => a + b,
  sub: () => (a, b) => a - b,
  mul: (int) => (int ? (a, b) => Math.imul(a, b) : (a, b) => a * b),
  div: () => (a, b) => a / b,
  pow: (int) => (int ? intPow : (a, b) => (a === 1 || b === 0 ? 1 : a ** b)),
  maximum: () => (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b),
  minimum: () => (a, b) => (a !== a || b !== b ? NaN : a < b ? a : b),
  floorDivide: (int) => (int ? (a, b) => (intDivCheck(b), Math.floor(a / b)) : floorDivFloat),
  remainder: (int) =>
    int
      ? (a, b) => (intDivCheck(b), a - Math.floor(a / b) * b)
      : (a, b) => {
          const r = a % b;
          return r !== 0 && (r < 0) !== (b < 0) ? r + b : r;
        },
  atan2: () => Math.atan2,
  eq: () => (a, b) => (a === b ? 1 : 0),
  ne: () => (a, b) => (a !== b ? 1 : 0),
  lt: () => (a, b) => (a < b ? 1 : 0),
  le: () => (a, b) => (a <= b ? 1 : 0),
  gt: () => (a, b) => (a > b ? 1 : 0),
  ge: () => (a, b) => (a >= b ? 1 : 0),
  logicalAnd: () => (a, b) => (a !== 0 && b !== 0 ? 1 : 0),
  logicalOr: () => (a, b) => (a !== 0 || b !== 0 ? 1 : 0),
  logicalXor: () => (a, b) => ((a !== 0) !== (b !== 0) ? 1 : 0),
  bitwiseAnd: () => (a, b) => a & b,
  bitwiseOr: () => (a, b) => a | b,
  bitwiseXor: () => (a, b) => a ^ b,
};

export function binaryFn(op: BinaryOp, dtype: DType): BinaryFn {
  return BINARY[op](dtype === 'int32' || dtype === 'uint8' || dtype === 'bool');
}
