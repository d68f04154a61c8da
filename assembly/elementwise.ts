// Elementwise kernels: fill, copy/cast, unary, binary, where, clamp. Every kernel has one generic
// strided path that reproduces the reference backend exactly (compute in f64, store with the typed
// array conversion) and SIMD fast paths for contiguous float32 rows whose results are bit-identical
// to that path (IEEE +,-,*,/,sqrt give the same value in f32 as f64-then-round).
import { F32, F64, I32, U8, BOOL, ERR_ZERO_DIV, shiftOf, ld, st, mv, toInt32, fail, errCode } from './common';
import { iterInit, iterNext, itN, s0, s1, s2, s3, o0, o1, o2, o3 } from './iter';

// Op codes: positions in the primitive table (src/backend/ops.ts), generated.
import {
  NEG, ABS, EXP, LOG, SQRT, RSQRT, SIGMOID, TANH, RELU, SIN, COS, TAN, FLOOR, CEIL, ROUND, TRUNC, SIGN, RECIPROCAL,
  EXPM1, LOG1P, LOG2, EXP2, SQUARE, LOGICAL_NOT, ISNAN, ASIN, ACOS, ATAN, SINH, COSH, ERF, FRAC,
  ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM, FLOOR_DIVIDE, REMAINDER, ATAN2, EQ, NE, LT, LE, GT, GE,
  LOGICAL_AND, LOGICAL_OR, LOGICAL_XOR, BITWISE_AND, BITWISE_OR, BITWISE_XOR,
} from './opcodes.generated';

// NOTE: the same algorithm as the reference backend's erf (series below 2.5, continued fraction above).
function erf(x: f64): f64 {
  const ax = Math.abs(x);
  if (ax >= 6) return Math.sign(x); // 1 - erf(6) < 3e-17; also erf(+-inf) = +-1
  if (ax < 2.5) {
    let sum = ax, term = ax;
    const x2 = ax * ax;
    for (let n = 1; n < 60; n++) {
      term *= -x2 / <f64>n;
      const add = term / <f64>(2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return Math.sign(x) * (2.0 / Math.sqrt(Math.PI)) * sum;
  }
  let f = ax, c = ax, d = 0.0;
  for (let n = 1; n < 200; n++) {
    const an = <f64>n / 2.0;
    d = ax + an * d;
    d = d == 0 ? 1e-300 : 1.0 / d;
    c = ax + an / c;
    if (c == 0) c = 1e-300;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1.0) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1.0 - erfc);
}

function unF64(op: i32, x: f64): f64 {
  switch (op) {
    case NEG: return -x;
    case ABS: return Math.abs(x);
    case EXP: return Math.exp(x);
    case LOG: return Math.log(x);
    case SQRT: return Math.sqrt(x);
    case RSQRT: return 1.0 / Math.sqrt(x);
    case SIGMOID: return 1.0 / (1.0 + Math.exp(-x));
    case TANH: return Math.tanh(x);
    case RELU: return x > 0 ? x : x != x ? x : 0.0;
    case SIN: return Math.sin(x);
    case COS: return Math.cos(x);
    case TAN: return Math.tan(x);
    case FLOOR: return Math.floor(x);
    case CEIL: return Math.ceil(x);
    case ROUND: return nearest<f64>(x); // NOTE: half to even, like torch.round
    case TRUNC: return Math.trunc(x);
    case SIGN: return x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0; // NOTE: torch.sign(nan) is 0
    case RECIPROCAL: return 1.0 / x;
    case EXPM1: return Math.expm1(x);
    case LOG1P: return Math.log1p(x);
    case LOG2: return Math.log2(x);
    case EXP2: return Math.pow(2.0, x);
    case SQUARE: return x * x;
    case LOGICAL_NOT: return x == 0 ? 1.0 : 0.0;
    case ISNAN: return x != x ? 1.0 : 0.0;
    case ASIN: return Math.asin(x);
    case ACOS: return Math.acos(x);
    case ATAN: return Math.atan(x);
    case SINH: return Math.sinh(x);
    case COSH: return Math.cosh(x);
    case ERF: return erf(x);
    case FRAC: return x - Math.trunc(x);
  }
  return NaN;
}

/**
 * Integer power as torch's powi (negative exponents give 0 except for bases 1 and -1); the reference
 * computes BigInt(a) ** BigInt(b) wrapped to int64, then Number(): the same as wrapping i64 products.
 */
function ipow(a: f64, b: f64): f64 {
  if (b < 0) return a == 1 ? 1.0 : a == -1 ? (b % 2 == 0 ? 1.0 : -1.0) : 0.0;
  let base = <i64>a;
  let e = <i64>b;
  let r: i64 = 1;
  while (e > 0) {
    if (e & 1) r *= base;
    base *= base;
    e >>= 1;
  }
  return <f64>r;
}

/** torch's div_floor_floating: Python's `//` on floats (fmod-based, so -inf // 1 is nan). */
function floorDivFloat(a: f64, b: f64): f64 {
  if (b == 0) return a / b;
  const mod = a % b;
  let div = (a - mod) / b;
  if (mod != 0 && (b < 0) != (mod < 0)) div -= 1;
  if (div == 0) {
    const q = a / b;
    return q < 0 || (q == 0 && 1.0 / q < 0) ? -0.0 : 0.0;
  }
  let fd = Math.floor(div);
  if (div - fd > 0.5) fd += 1;
  return fd;
}

function binF64(op: i32, int: bool, a: f64, b: f64): f64 {
  switch (op) {
    case ADD: return a + b;
    case SUB: return a - b;
    case MUL: return int ? <f64>(toInt32(a) * toInt32(b)) : a * b;
    case DIV: return a / b;
    case POW: return int ? ipow(a, b) : a == 1.0 || b == 0.0 ? 1.0 : Math.pow(a, b);
    case MAXIMUM: return a != a || b != b ? NaN : a > b ? a : b;
    case MINIMUM: return a != a || b != b ? NaN : a < b ? a : b;
    case FLOOR_DIVIDE:
      if (int) {
        if (b == 0) fail(ERR_ZERO_DIV, 0);
        return Math.floor(a / b);
      }
      return floorDivFloat(a, b);
    case REMAINDER: {
      if (int) {
        if (b == 0) fail(ERR_ZERO_DIV, 0);
        return a - Math.floor(a / b) * b;
      }
      const r = a % b;
      return r != 0 && (r < 0) != (b < 0) ? r + b : r;
    }
    case ATAN2: return Math.atan2(a, b);
    case EQ: return a == b ? 1.0 : 0.0;
    case NE: return a != b ? 1.0 : 0.0;
    case LT: return a < b ? 1.0 : 0.0;
    case LE: return a <= b ? 1.0 : 0.0;
    case GT: return a > b ? 1.0 : 0.0;
    case GE: return a >= b ? 1.0 : 0.0;
    case LOGICAL_AND: return a != 0 && b != 0 ? 1.0 : 0.0;
    case LOGICAL_OR: return a != 0 || b != 0 ? 1.0 : 0.0;
    case LOGICAL_XOR: return (a != 0) != (b != 0) ? 1.0 : 0.0;
    case BITWISE_AND: return <f64>(toInt32(a) & toInt32(b));
    case BITWISE_OR: return <f64>(toInt32(a) | toInt32(b));
    case BITWISE_XOR: return <f64>(toInt32(a) ^ toInt32(b));
  }
  return NaN;
}

// ---------- fill ----------
/** Fill a view with the raw element stored at pv (already converted by the caller). */
export function fill(dt: i32, po: usize, meta: usize, pv: usize): i32 {
  const sh = shiftOf(dt);
  const rows = iterInit(meta, 1, sh);
  const es = 1 << sh;
  for (let r = 0; r < rows; r++) {
    let p = po + <usize>o0;
    const n = itN, so = s0;
    if (so == es) {
      if (sh == 0) memory.fill(p, load<u8>(pv), <usize>n);
      else {
        const v = sh == 3 ? i64x2.splat(load<i64>(pv)) : i32x4.splat(load<i32>(pv));
        const bytes = <usize>n << sh;
        const end = p + bytes;
        for (; p + 16 <= end; p += 16) v128.store(p, v);
        for (; p < end; p += es) mv(sh, pv, p);
      }
    } else {
      for (let i = 0; i < n; i++, p += <usize>so) mv(sh, pv, p);
    }
    iterNext();
  }
  return 0;
}

// ---------- copy / cast ----------
export function copy(dtx: i32, dto: i32, px: usize, po: usize, meta: usize): i32 {
  const shx = shiftOf(dtx), sho = shiftOf(dto);
  const rows = iterInit(meta, 2, shx | (sho << 4));
  const same = dtx == dto;
  for (let r = 0; r < rows; r++) {
    let a = px + <usize>o0, o = po + <usize>o1;
    const n = itN, sa = s0, so = s1;
    if (same && sa == 1 << shx && so == 1 << sho) memory.copy(o, a, <usize>n << shx);
    else if (same) for (let i = 0; i < n; i++, a += <usize>sa, o += <usize>so) mv(shx, a, o);
    else if (dtx == F32 && dto == F64) for (let i = 0; i < n; i++, a += <usize>sa, o += <usize>so) store<f64>(o, <f64>load<f32>(a));
    else if (dtx == F64 && dto == F32) for (let i = 0; i < n; i++, a += <usize>sa, o += <usize>so) store<f32>(o, <f32>load<f64>(a));
    else for (let i = 0; i < n; i++, a += <usize>sa, o += <usize>so) st(dto, o, ld(dtx, a));
    iterNext();
  }
  return 0;
}

// ---------- unary ----------
@inline function vfma(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  else return f32x4.add(f32x4.mul(a, b), c);
}

/**
 * e^x on 4 float32 lanes (Cephes expf: x = n ln2 + r, a degree-6 polynomial for e^r, 2^n applied as
 * two exponent scalings so results down to the denormal range are right). Within ~1 ulp.
 */
@inline function expV(x0: v128): v128 {
  // NOTE: pmin/pmax are single minps/maxps (min/max need NaN fix-ups); with x first they keep NaN.
  const x = f32x4.pmin(f32x4.pmax(x0, f32x4.splat(-104.0)), f32x4.splat(89.0));
  // n = round(x log2 e) by the 1.5 * 2^23 trick: the sum's low mantissa bits hold n as an integer
  const magic = f32x4.splat(12582912.0);
  const t = vfma(x, f32x4.splat(1.44269504088896341), magic);
  const n = f32x4.sub(t, magic);
  let r = vfma(n, f32x4.splat(-0.693359375), x);
  r = vfma(n, f32x4.splat(2.12194440e-4), r);
  let p = f32x4.splat(1.9875691500e-4);
  p = vfma(p, r, f32x4.splat(1.3981999507e-3));
  p = vfma(p, r, f32x4.splat(8.3334519073e-3));
  p = vfma(p, r, f32x4.splat(4.1665795894e-2));
  p = vfma(p, r, f32x4.splat(1.6666665459e-1));
  p = vfma(p, r, f32x4.splat(5.0000001201e-1));
  p = f32x4.add(vfma(f32x4.mul(p, r), r, r), f32x4.splat(1.0));
  const ni = i32x4.sub(t, i32x4.splat(0x4b400000));
  const h = i32x4.shr_s(ni, 1);
  const s1 = i32x4.shl(i32x4.add(h, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(i32x4.sub(ni, h), i32x4.splat(127)), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

@inline function unVec(op: i32, x: v128): v128 {
  switch (op) {
    case NEG: return f32x4.neg(x);
    case ABS: return f32x4.abs(x);
    case SQRT: return f32x4.sqrt(x);
    case RELU: return v128.bitselect(x, f32x4.splat(0), v128.or(f32x4.gt(x, f32x4.splat(0)), f32x4.ne(x, x)));
    case FLOOR: return f32x4.floor(x);
    case CEIL: return f32x4.ceil(x);
    case ROUND: return f32x4.nearest(x);
    case TRUNC: return f32x4.trunc(x);
    case RECIPROCAL: return f32x4.div(f32x4.splat(1), x);
    case SQUARE: return f32x4.mul(x, x);
    case EXP: return expV(x);
    case SIGMOID: return f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), expV(f32x4.neg(x))));
  }
  return x;
}

@inline function unRowF32(op: i32, px: usize, po: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(po + (<usize>i << 2), unVec(op, v128.load(px + (<usize>i << 2))));
  const rem = n - i;
  if (rem > 0) {
    // the tail through the same vector code, so every element gets the same function
    const a = px + (<usize>i << 2), o = po + (<usize>i << 2);
    let v = f32x4.replace_lane(f32x4.splat(0), 0, load<f32>(a));
    if (rem > 1) v = f32x4.replace_lane(v, 1, load<f32>(a, 4));
    if (rem > 2) v = f32x4.replace_lane(v, 2, load<f32>(a, 8));
    const r = unVec(op, v);
    store<f32>(o, f32x4.extract_lane(r, 0));
    if (rem > 1) store<f32>(o, f32x4.extract_lane(r, 1), 4);
    if (rem > 2) store<f32>(o, f32x4.extract_lane(r, 2), 8);
  }
}

function unFastF32(op: i32, px: usize, po: usize, n: i32): bool {
  switch (op) {
    case NEG: unRowF32(NEG, px, po, n); return true;
    case ABS: unRowF32(ABS, px, po, n); return true;
    case SQRT: unRowF32(SQRT, px, po, n); return true;
    case RELU: unRowF32(RELU, px, po, n); return true;
    case FLOOR: unRowF32(FLOOR, px, po, n); return true;
    case CEIL: unRowF32(CEIL, px, po, n); return true;
    case ROUND: unRowF32(ROUND, px, po, n); return true;
    case TRUNC: unRowF32(TRUNC, px, po, n); return true;
    case RECIPROCAL: unRowF32(RECIPROCAL, px, po, n); return true;
    case SQUARE: unRowF32(SQUARE, px, po, n); return true;
    case EXP: unRowF32(EXP, px, po, n); return true;
    case SIGMOID: unRowF32(SIGMOID, px, po, n); return true;
  }
  return false;
}

export function unary(op: i32, dtx: i32, dto: i32, px: usize, po: usize, meta: usize): i32 {
  const rows = iterInit(meta, 2, shiftOf(dtx) | (shiftOf(dto) << 4));
  for (let r = 0; r < rows; r++) {
    let a = px + <usize>o0, o = po + <usize>o1;
    const n = itN, sa = s0, so = s1;
    if (!(dtx == F32 && dto == F32 && sa == 4 && so == 4 && unFastF32(op, a, o, n))) {
      for (let i = 0; i < n; i++, a += <usize>sa, o += <usize>so) st(dto, o, unF64(op, ld(dtx, a)));
    }
    iterNext();
  }
  return 0;
}

// ---------- binary ----------
@inline function binVec(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case ADD: return f32x4.add(a, b);
    case SUB: return f32x4.sub(a, b);
    case MUL: return f32x4.mul(a, b);
    case DIV: return f32x4.div(a, b);
    case MAXIMUM: {
      const nan = v128.or(f32x4.ne(a, a), f32x4.ne(b, b));
      return v128.bitselect(f32x4.splat(NaN), v128.bitselect(a, b, f32x4.gt(a, b)), nan);
    }
    case MINIMUM: {
      const nan = v128.or(f32x4.ne(a, a), f32x4.ne(b, b));
      return v128.bitselect(f32x4.splat(NaN), v128.bitselect(a, b, f32x4.lt(a, b)), nan);
    }
  }
  return a;
}

/** One contiguous float32 row; sa/sb are 0 (scalar operand) or 4. */
@inline function binRowF32(op: i32, pa: usize, pb: usize, po: usize, n: i32, sa: i32, sb: i32): void {
  let i = 0;
  if (sa == 4 && sb == 4) {
    for (; i + 4 <= n; i += 4) {
      const k = <usize>i << 2;
      v128.store(po + k, binVec(op, v128.load(pa + k), v128.load(pb + k)));
    }
  } else if (sa == 4) {
    const vb = v128.load32_splat(pb);
    for (; i + 4 <= n; i += 4) {
      const k = <usize>i << 2;
      v128.store(po + k, binVec(op, v128.load(pa + k), vb));
    }
  } else if (sb == 4) {
    const va = v128.load32_splat(pa);
    for (; i + 4 <= n; i += 4) {
      const k = <usize>i << 2;
      v128.store(po + k, binVec(op, va, v128.load(pb + k)));
    }
  } else {
    const v = binVec(op, v128.load32_splat(pa), v128.load32_splat(pb));
    for (; i + 4 <= n; i += 4) v128.store(po + (<usize>i << 2), v);
  }
  for (; i < n; i++) {
    const r = binF64(op, false, <f64>load<f32>(pa + <usize>(i * sa)), <f64>load<f32>(pb + <usize>(i * sb)));
    store<f32>(po + (<usize>i << 2), <f32>r);
  }
}

function binFastF32(op: i32, pa: usize, pb: usize, po: usize, n: i32, sa: i32, sb: i32): bool {
  switch (op) {
    case ADD: binRowF32(ADD, pa, pb, po, n, sa, sb); return true;
    case SUB: binRowF32(SUB, pa, pb, po, n, sa, sb); return true;
    case MUL: binRowF32(MUL, pa, pb, po, n, sa, sb); return true;
    case DIV: binRowF32(DIV, pa, pb, po, n, sa, sb); return true;
    case MAXIMUM: binRowF32(MAXIMUM, pa, pb, po, n, sa, sb); return true;
    case MINIMUM: binRowF32(MINIMUM, pa, pb, po, n, sa, sb); return true;
    case POW:
      // NOTE: x ** 2 is exactly x * x in f64, so f32 x*x matches the f64-then-round reference.
      if (sb == 0 && load<f32>(pb) == 2) {
        binRowF32(MUL, pa, pa, po, n, sa, sa);
        return true;
      }
  }
  return false;
}

@inline function cmpVec(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case EQ: return f32x4.eq(a, b);
    case NE: return f32x4.ne(a, b);
    case LT: return f32x4.lt(a, b);
    case LE: return f32x4.le(a, b);
    case GT: return f32x4.gt(a, b);
    case GE: return f32x4.ge(a, b);
  }
  return a;
}

/** float32 comparison into bool bytes: 16 lanes per step (compare, narrow the masks, keep bit 0). */
@inline function cmpRowF32(op: i32, pa: usize, pb: usize, po: usize, n: i32, sa: i32, sb: i32): void {
  let i = 0;
  const one = i8x16.splat(1);
  const va = v128.load32_splat(pa), vb = v128.load32_splat(pb);
  for (; i + 16 <= n; i += 16) {
    const k = <usize>i << 2;
    const a0 = sa ? v128.load(pa + k) : va, a1 = sa ? v128.load(pa + k, 16) : va, a2 = sa ? v128.load(pa + k, 32) : va, a3 = sa ? v128.load(pa + k, 48) : va;
    const b0 = sb ? v128.load(pb + k) : vb, b1 = sb ? v128.load(pb + k, 16) : vb, b2 = sb ? v128.load(pb + k, 32) : vb, b3 = sb ? v128.load(pb + k, 48) : vb;
    const lo = i16x8.narrow_i32x4_s(cmpVec(op, a0, b0), cmpVec(op, a1, b1));
    const hi = i16x8.narrow_i32x4_s(cmpVec(op, a2, b2), cmpVec(op, a3, b3));
    v128.store(po + <usize>i, v128.and(i8x16.narrow_i16x8_s(lo, hi), one));
  }
  for (; i < n; i++) {
    store<u8>(po + <usize>i, <u8>binF64(op, false, <f64>load<f32>(pa + <usize>(i * sa)), <f64>load<f32>(pb + <usize>(i * sb))));
  }
}

function cmpFastF32(op: i32, pa: usize, pb: usize, po: usize, n: i32, sa: i32, sb: i32): bool {
  switch (op) {
    case EQ: cmpRowF32(EQ, pa, pb, po, n, sa, sb); return true;
    case NE: cmpRowF32(NE, pa, pb, po, n, sa, sb); return true;
    case LT: cmpRowF32(LT, pa, pb, po, n, sa, sb); return true;
    case LE: cmpRowF32(LE, pa, pb, po, n, sa, sb); return true;
    case GT: cmpRowF32(GT, pa, pb, po, n, sa, sb); return true;
    case GE: cmpRowF32(GE, pa, pb, po, n, sa, sb); return true;
  }
  return false;
}

/**
 * out = a op b. int: the reference's integer semantics (the compute dtype is integral); dta/dtb are
 * the operands' storage dtypes (a scalar operand may be passed as F64 to keep its exact value).
 */
export function binary(op: i32, int: i32, dta: i32, dtb: i32, dto: i32, pa: usize, pb: usize, po: usize, meta: usize): i32 {
  errCode = 0;
  const rows = iterInit(meta, 3, shiftOf(dta) | (shiftOf(dtb) << 4) | (shiftOf(dto) << 8));
  const f32 = dta == F32 && dtb == F32 && dto == F32;
  for (let r = 0; r < rows; r++) {
    let a = pa + <usize>o0, b = pb + <usize>o1, o = po + <usize>o2;
    const n = itN, sa = s0, sb = s1, so = s2;
    const vec = dta == F32 && dtb == F32 && (sa == 4 || sa == 0) && (sb == 4 || sb == 0);
    const fast = vec && ((f32 && so == 4 && binFastF32(op, a, b, o, n, sa, sb)) || (dto == U8 && so == 1 && cmpFastF32(op, a, b, o, n, sa, sb)));
    if (!fast) {
      for (let i = 0; i < n; i++, a += <usize>sa, b += <usize>sb, o += <usize>so) st(dto, o, binF64(op, int != 0, ld(dta, a), ld(dtb, b)));
    }
    iterNext();
  }
  return errCode;
}

// ---------- where ----------
/** out = cond ? a : b; cond is bool/uint8 (nonzero = true); a and b normally have out's dtype. */
export function where(dta: i32, dtb: i32, dto: i32, pc: usize, pa: usize, pb: usize, po: usize, meta: usize): i32 {
  const sh = shiftOf(dto);
  const rows = iterInit(meta, 4, (shiftOf(dta) << 4) | (shiftOf(dtb) << 8) | (sh << 12));
  const same = dta == dto && dtb == dto;
  for (let r = 0; r < rows; r++) {
    let c = pc + <usize>o0, a = pa + <usize>o1, b = pb + <usize>o2, o = po + <usize>o3;
    const n = itN, sc = s0, sa = s1, sb = s2, so = s3;
    if (same && sh == 2) {
      for (let i = 0; i < n; i++, c += <usize>sc, a += <usize>sa, b += <usize>sb, o += <usize>so)
        store<u32>(o, load<u8>(c) ? load<u32>(a) : load<u32>(b));
    } else if (same) {
      for (let i = 0; i < n; i++, c += <usize>sc, a += <usize>sa, b += <usize>sb, o += <usize>so) mv(sh, load<u8>(c) ? a : b, o);
    } else {
      for (let i = 0; i < n; i++, c += <usize>sc, a += <usize>sa, b += <usize>sb, o += <usize>so)
        st(dto, o, load<u8>(c) ? ld(dta, a) : ld(dtb, b));
    }
    iterNext();
  }
  return 0;
}

// ---------- clamp ----------
/** out = NaN-preserving min(max(x, lo), hi) (torch.clamp; lo/hi ±Infinity when absent). */
export function clamp(dt: i32, dto: i32, px: usize, po: usize, lo: f64, hi: f64, meta: usize): i32 {
  const rows = iterInit(meta, 2, shiftOf(dt) | (shiftOf(dto) << 4));
  for (let r = 0; r < rows; r++) {
    let a = px + <usize>o0, o = po + <usize>o1;
    const n = itN, sa = s0, so = s1;
    let i = 0;
    if (dt == F32 && dto == F32 && sa == 4 && so == 4) {
      const vl = f32x4.splat(<f32>lo), vh = f32x4.splat(<f32>hi);
      for (; i + 4 <= n; i += 4) {
        const k = <usize>i << 2;
        v128.store(o + k, f32x4.min(f32x4.max(v128.load(a + k), vl), vh));
      }
      a += <usize>(i << 2);
      o += <usize>(i << 2);
    }
    for (; i < n; i++, a += <usize>sa, o += <usize>so) {
      const v = ld(dt, a);
      st(dto, o, v != v ? v : Math.min(Math.max(v, lo), hi));
    }
    iterNext();
  }
  return 0;
}
