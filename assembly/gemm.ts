// Matrix multiply. sgemm: packed, register-tiled float32 GEMM (Goto/BLIS blocking: B panels of
// KC x NC in L2, A blocks of MC x KC, an MR x NR register tile of f32x4 accumulators), any strides
// (transposed operands are just strides; packing makes them contiguous). Other dtypes use a plain
// loop with a float64 accumulator, exactly like the reference backend.
//
// Threads: the JS side splits a problem into row/column/batch ranges and runs this same code on
// each thread with its own workspace; nothing here touches shared static state.
import { F32, ld, st } from './common';

// NOTE: 6x8 = 12 f32x4 accumulators + 2 B vectors + 1 broadcast = 15 of x64's 16 xmm registers; without
// fma each multiply needs a temporary as well, so the plain-SIMD build uses 4x8.
export const MR: i32 = ASC_FEATURE_RELAXED_SIMD ? 6 : 4;
export const NR: i32 = 8;
export const KC: i32 = 256;
export const MC: i32 = 120; // a multiple of both tiles' MR
export const NC: i32 = 512;
/** Below this many multiply-adds a simple loop beats packing. */
const SMALL: i32 = 8 * 8 * 8;

/** Bytes of workspace one sgemm call needs (packed A block, packed B panel, one tile). */
export function sgemmWorkspaceBytes(): i32 {
  return (MC * KC + KC * NC + MR * NR) * 4 + 64;
}

@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  else return f32x4.add(c, f32x4.mul(a, b));
}

@inline function off(i: i32, s: i32): usize {
  return <usize>((i * s) << 2);
}

/** Pack a kc x nc block of B (element strides sbk, sbn) into NR-column panels [kc][NR], zero-padded. */
function packB(kc: i32, nc: i32, src: usize, sbk: i32, sbn: i32, dst: usize): void {
  for (let j0 = 0; j0 < nc; j0 += NR) {
    const cols = min(NR, nc - j0);
    const s = src + off(j0, sbn);
    if (cols == NR && sbn == 1) {
      for (let k = 0; k < kc; k++) {
        const p = s + off(k, sbk);
        const d = dst + (<usize>(k * NR) << 2);
        v128.store(d, v128.load(p));
        v128.store(d, v128.load(p, 16), 16);
      }
    } else if (cols == NR) {
      for (let c = 0; c < NR; c++) {
        const p = s + off(c, sbn);
        for (let k = 0; k < kc; k++) store<f32>(dst + (<usize>(k * NR + c) << 2), load<f32>(p + off(k, sbk)));
      }
    } else {
      for (let k = 0; k < kc; k++) {
        const d = dst + (<usize>(k * NR) << 2);
        v128.store(d, f32x4.splat(0));
        v128.store(d, f32x4.splat(0), 16);
        for (let c = 0; c < cols; c++) store<f32>(d + (<usize>c << 2), load<f32>(s + off(k, sbk) + off(c, sbn)));
      }
    }
    dst += <usize>(kc * NR) << 2;
  }
}

/**
 * One MR-row panel of a row-major A (sak == 1): a transposition, 4 k's at a time with 4x4 shuffles
 * (rows 0-3) and 2x4 interleaves stored as 8-byte lanes (rows 4-5 of the 6-row tile).
 */
function packRowsT(kc: i32, s: usize, sam: i32, dst: usize): void {
  const r0 = s, r1 = s + off(1, sam), r2 = s + off(2, sam), r3 = s + off(3, sam);
  const r4 = MR > 4 ? s + off(4, sam) : s, r5 = MR > 5 ? s + off(5, sam) : s;
  const step = <usize>(MR << 2);
  let k = 0;
  for (; k + 4 <= kc; k += 4) {
    const o = <usize>k << 2, d = dst + (<usize>(k * MR) << 2);
    const v0 = v128.load(r0 + o), v1 = v128.load(r1 + o), v2 = v128.load(r2 + o), v3 = v128.load(r3 + o);
    const t0 = i32x4.shuffle(v0, v1, 0, 4, 1, 5), t1 = i32x4.shuffle(v2, v3, 0, 4, 1, 5);
    const t2 = i32x4.shuffle(v0, v1, 2, 6, 3, 7), t3 = i32x4.shuffle(v2, v3, 2, 6, 3, 7);
    v128.store(d, i32x4.shuffle(t0, t1, 0, 1, 4, 5));
    v128.store(d + step, i32x4.shuffle(t0, t1, 2, 3, 6, 7));
    v128.store(d + 2 * step, i32x4.shuffle(t2, t3, 0, 1, 4, 5));
    v128.store(d + 3 * step, i32x4.shuffle(t2, t3, 2, 3, 6, 7));
    if (MR == 6) {
      const v4 = v128.load(r4 + o), v5 = v128.load(r5 + o);
      const u0 = i32x4.shuffle(v4, v5, 0, 4, 1, 5), u1 = i32x4.shuffle(v4, v5, 2, 6, 3, 7);
      v128.store64_lane(d + 16, u0, 0);
      v128.store64_lane(d + step + 16, u0, 1);
      v128.store64_lane(d + 2 * step + 16, u1, 0);
      v128.store64_lane(d + 3 * step + 16, u1, 1);
    }
  }
  for (; k < kc; k++) {
    const o = <usize>k << 2, d = dst + (<usize>(k * MR) << 2);
    store<f32>(d, load<f32>(r0 + o));
    store<f32>(d, load<f32>(r1 + o), 4);
    store<f32>(d, load<f32>(r2 + o), 8);
    store<f32>(d, load<f32>(r3 + o), 12);
    if (MR == 6) {
      store<f32>(d, load<f32>(r4 + o), 16);
      store<f32>(d, load<f32>(r5 + o), 20);
    }
  }
}

/** Pack an mc x kc block of A (element strides sam, sak) into MR-row panels [kc][MR], zero-padded. */
function packA(mc: i32, kc: i32, src: usize, sam: i32, sak: i32, dst: usize): void {
  for (let i0 = 0; i0 < mc; i0 += MR) {
    const rows = min(MR, mc - i0);
    const s = src + off(i0, sam);
    if (rows == MR && sam == 1) {
      for (let k = 0; k < kc; k++) {
        const p = s + off(k, sak), d = dst + (<usize>(k * MR) << 2);
        v128.store(d, v128.load(p));
        if (MR == 6) store<u64>(d, load<u64>(p, 16), 16);
      }
    } else if (rows == MR && sak == 1) {
      packRowsT(kc, s, sam, dst);
    } else {
      for (let r = 0; r < MR; r++) {
        if (r < rows) {
          const p = s + off(r, sam);
          if (sak == 1) for (let k = 0; k < kc; k++) store<f32>(dst + (<usize>(k * MR + r) << 2), load<f32>(p + (<usize>k << 2)));
          else for (let k = 0; k < kc; k++) store<f32>(dst + (<usize>(k * MR + r) << 2), load<f32>(p + off(k, sak)));
        } else {
          for (let k = 0; k < kc; k++) store<f32>(dst + (<usize>(k * MR + r) << 2), 0);
        }
      }
    }
    dst += <usize>(kc * MR) << 2;
  }
}

@inline function outRow(p: usize, lo: v128, hi: v128, acc: bool): void {
  if (acc) {
    lo = f32x4.add(lo, v128.load(p));
    hi = f32x4.add(hi, v128.load(p, 16));
  }
  v128.store(p, lo);
  v128.store(p, hi, 16);
}

/** C[mr x nr] (+)= Apanel[kc][MR] * Bpanel[kc][NR]. */
function kernel4x8(kc: i32, a: usize, b: usize, c: usize, scm: i32, scn: i32, acc: bool, mr: i32, nr: i32, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    const a0 = v128.load32_splat(a);
    c00 = madd(a0, b0, c00);
    c01 = madd(a0, b1, c01);
    const a1 = v128.load32_splat(a, 4);
    c10 = madd(a1, b0, c10);
    c11 = madd(a1, b1, c11);
    const a2 = v128.load32_splat(a, 8);
    c20 = madd(a2, b0, c20);
    c21 = madd(a2, b1, c21);
    const a3 = v128.load32_splat(a, 12);
    c30 = madd(a3, b0, c30);
    c31 = madd(a3, b1, c31);
    a += 16;
    b += 32;
  }
  if (mr == 4 && nr == 8 && scn == 1) {
    const rs = <usize>scm << 2;
    outRow(c, c00, c01, acc);
    outRow(c + rs, c10, c11, acc);
    outRow(c + 2 * rs, c20, c21, acc);
    outRow(c + 3 * rs, c30, c31, acc);
  } else {
    v128.store(tile, c00); v128.store(tile, c01, 16);
    v128.store(tile, c10, 32); v128.store(tile, c11, 48);
    v128.store(tile, c20, 64); v128.store(tile, c21, 80);
    v128.store(tile, c30, 96); v128.store(tile, c31, 112);
    tileOut(c, scm, scn, acc, mr, nr, tile);
  }
}

/** C[mr x nr] (+)= Apanel[kc][6] * Bpanel[kc][8] (the fma build's tile). */
function kernel6x8(kc: i32, a: usize, b: usize, c: usize, scm: i32, scn: i32, acc: bool, mr: i32, nr: i32, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  let c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let av = v128.load32_splat(a);
    c00 = madd(av, b0, c00);
    c01 = madd(av, b1, c01);
    av = v128.load32_splat(a, 4);
    c10 = madd(av, b0, c10);
    c11 = madd(av, b1, c11);
    av = v128.load32_splat(a, 8);
    c20 = madd(av, b0, c20);
    c21 = madd(av, b1, c21);
    av = v128.load32_splat(a, 12);
    c30 = madd(av, b0, c30);
    c31 = madd(av, b1, c31);
    av = v128.load32_splat(a, 16);
    c40 = madd(av, b0, c40);
    c41 = madd(av, b1, c41);
    av = v128.load32_splat(a, 20);
    c50 = madd(av, b0, c50);
    c51 = madd(av, b1, c51);
    a += 24;
    b += 32;
  }
  if (mr == 6 && nr == 8 && scn == 1) {
    const rs = <usize>scm << 2;
    outRow(c, c00, c01, acc);
    outRow(c + rs, c10, c11, acc);
    outRow(c + 2 * rs, c20, c21, acc);
    outRow(c + 3 * rs, c30, c31, acc);
    outRow(c + 4 * rs, c40, c41, acc);
    outRow(c + 5 * rs, c50, c51, acc);
  } else {
    v128.store(tile, c00); v128.store(tile, c01, 16);
    v128.store(tile, c10, 32); v128.store(tile, c11, 48);
    v128.store(tile, c20, 64); v128.store(tile, c21, 80);
    v128.store(tile, c30, 96); v128.store(tile, c31, 112);
    v128.store(tile, c40, 128); v128.store(tile, c41, 144);
    v128.store(tile, c50, 160); v128.store(tile, c51, 176);
    tileOut(c, scm, scn, acc, mr, nr, tile);
  }
}

function tileOut(c: usize, scm: i32, scn: i32, acc: bool, mr: i32, nr: i32, tile: usize): void {
  for (let r = 0; r < mr; r++) {
    for (let j = 0; j < nr; j++) {
      const p = c + off(r, scm) + off(j, scn);
      const v = load<f32>(tile + (<usize>(r * NR + j) << 2));
      store<f32>(p, acc ? load<f32>(p) + v : v);
    }
  }
}

/** K per block of a GEMV: its partial sums are added to c, like the K panels of the packed sgemm. */
const GEMV_KB: i32 = 4096;

/**
 * c[M] (+)= A[M,K] b[K] (GEMV; also M == 1 by transposition): packing would cost as much as the
 * product.
 * NOTE: a float32 running sum stops growing at 2^24 times its terms (ones(1, 1e8) @ ones(1e8, 1) gave
 * 16777216): K is summed in blocks of GEMV_KB whose float32 partial sums are added to c, so the error
 * grows with K / GEMV_KB + GEMV_KB / 4 instead of K. Products with K <= GEMV_KB are one block, as before.
 */
function gemv(M: i32, K: i32, pa: usize, sam: i32, sak: i32, pb: usize, sbk: i32, pc: usize, scm: i32, beta: bool, ws: usize, wsFloats: i32): void {
  for (let k0 = 0; k0 < K; k0 += GEMV_KB) {
    gemvBlock(M, min(GEMV_KB, K - k0), pa + off(k0, sak), sam, sak, pb + off(k0, sbk), sbk, pc, scm, beta || k0 > 0, ws, wsFloats);
  }
}

/** One K block of gemv. Row-contiguous A: SIMD dot products, 4 rows at a time; column-contiguous A: SIMD axpy. */
function gemvBlock(M: i32, K: i32, pa: usize, sam: i32, sak: i32, pb: usize, sbk: i32, pc: usize, scm: i32, beta: bool, ws: usize, wsFloats: i32): void {
  if (sak == 1 && K <= wsFloats) {
    let b = pb;
    if (sbk != 1) {
      for (let k = 0; k < K; k++) store<f32>(ws + (<usize>k << 2), load<f32>(pb + off(k, sbk)));
      b = ws;
    }
    let i = 0;
    for (; i + 4 <= M; i += 4) {
      const a0 = pa + off(i, sam), a1 = a0 + off(1, sam), a2 = a1 + off(1, sam), a3 = a2 + off(1, sam);
      let v0 = f32x4.splat(0), v1 = f32x4.splat(0), v2 = f32x4.splat(0), v3 = f32x4.splat(0);
      let k = 0;
      for (; k + 4 <= K; k += 4) {
        const o = <usize>k << 2;
        const bv = v128.load(b + o);
        v0 = madd(v128.load(a0 + o), bv, v0);
        v1 = madd(v128.load(a1 + o), bv, v1);
        v2 = madd(v128.load(a2 + o), bv, v2);
        v3 = madd(v128.load(a3 + o), bv, v3);
      }
      let r0 = hsum(v0), r1 = hsum(v1), r2 = hsum(v2), r3 = hsum(v3);
      for (; k < K; k++) {
        const o = <usize>k << 2;
        const bk = load<f32>(b + o);
        r0 += load<f32>(a0 + o) * bk;
        r1 += load<f32>(a1 + o) * bk;
        r2 += load<f32>(a2 + o) * bk;
        r3 += load<f32>(a3 + o) * bk;
      }
      putC(pc + off(i, scm), r0, beta);
      putC(pc + off(i + 1, scm), r1, beta);
      putC(pc + off(i + 2, scm), r2, beta);
      putC(pc + off(i + 3, scm), r3, beta);
    }
    for (; i < M; i++) {
      const a0 = pa + off(i, sam);
      let v0 = f32x4.splat(0);
      let k = 0;
      for (; k + 4 <= K; k += 4) v0 = madd(v128.load(a0 + (<usize>k << 2)), v128.load(b + (<usize>k << 2)), v0);
      let r0 = hsum(v0);
      for (; k < K; k++) r0 += load<f32>(a0 + (<usize>k << 2)) * load<f32>(b + (<usize>k << 2));
      putC(pc + off(i, scm), r0, beta);
    }
  } else if (sam == 1 && M <= wsFloats) {
    // c = sum_k b[k] * A[:, k], the columns contiguous: accumulate in the workspace
    memory.fill(ws, 0, <usize>M << 2);
    for (let k = 0; k < K; k++) {
      const col = pa + off(k, sak);
      const bk = f32x4.splat(load<f32>(pb + off(k, sbk)));
      let i = 0;
      for (; i + 4 <= M; i += 4) {
        const o = <usize>i << 2;
        v128.store(ws + o, madd(v128.load(col + o), bk, v128.load(ws + o)));
      }
      const bs = f32x4.extract_lane(bk, 0);
      for (; i < M; i++) store<f32>(ws + (<usize>i << 2), load<f32>(ws + (<usize>i << 2)) + load<f32>(col + (<usize>i << 2)) * bs);
    }
    for (let i = 0; i < M; i++) putC(pc + off(i, scm), load<f32>(ws + (<usize>i << 2)), beta);
  } else {
    for (let i = 0; i < M; i++) {
      let r: f32 = 0;
      for (let k = 0; k < K; k++) r += load<f32>(pa + off(i, sam) + off(k, sak)) * load<f32>(pb + off(k, sbk));
      putC(pc + off(i, scm), r, beta);
    }
  }
}

@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

@inline function putC(p: usize, v: f32, beta: bool): void {
  store<f32>(p, beta ? load<f32>(p) + v : v);
}

/** Small problems: dot products with a float64 accumulator, no packing. */
function sgemmSmall(M: i32, N: i32, K: i32, pa: usize, sam: i32, sak: i32, pb: usize, sbk: i32, sbn: i32, pc: usize, scm: i32, scn: i32, beta: bool): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0.0;
      let a = pa + off(i, sam), b = pb + off(j, sbn);
      for (let k = 0; k < K; k++, a += <usize>(sak << 2), b += <usize>(sbk << 2)) s += <f64>load<f32>(a) * <f64>load<f32>(b);
      const p = pc + off(i, scm) + off(j, scn);
      store<f32>(p, beta ? <f32>(<f64>load<f32>(p) + s) : <f32>s);
    }
  }
}

/** C = A B (beta=0) or C += A B (beta=1), float32, A [M,K], B [K,N], C [M,N], element strides. */
export function sgemm(M: i32, N: i32, K: i32, pa: usize, sam: i32, sak: i32, pb: usize, sbk: i32, sbn: i32, pc: usize, scm: i32, scn: i32, beta: i32, ws: usize): void {
  if (M <= 0 || N <= 0) return;
  if (K <= 0 || <f64>M * <f64>N * <f64>K <= <f64>SMALL) {
    sgemmSmall(M, N, K, pa, sam, sak, pb, sbk, sbn, pc, scm, scn, beta != 0);
    return;
  }
  const wsFloats = (sgemmWorkspaceBytes() - 64) >> 2;
  if (N == 1) {
    gemv(M, K, pa, sam, sak, pb, sbk, pc, scm, beta != 0, (ws + 15) & ~(<usize>15), wsFloats);
    return;
  }
  if (M == 1) {
    gemv(N, K, pb, sbn, sbk, pa, sak, pc, scn, beta != 0, (ws + 15) & ~(<usize>15), wsFloats);
    return;
  }
  const Ap = (ws + 15) & ~(<usize>15);
  const Bp = Ap + (<usize>(MC * KC) << 2);
  const tile = Bp + (<usize>(KC * NC) << 2);
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    for (let p0 = 0; p0 < K; p0 += KC) {
      const kc = min(KC, K - p0);
      packB(kc, nc, pb + off(p0, sbk) + off(jc, sbn), sbk, sbn, Bp);
      blocks(M, nc, kc, pa + off(p0, sak), sam, sak, Bp, pc + off(jc, scn), scm, scn, beta != 0 || p0 > 0, Ap, tile);
    }
  }
}

/** C[M, nc] (+)= A[M, kc] * the packed B block at Bp: A packed MC rows at a time, then the register tiles. */
function blocks(M: i32, nc: i32, kc: i32, pa: usize, sam: i32, sak: i32, Bp: usize, pc: usize, scm: i32, scn: i32, acc: bool, Ap: usize, tile: usize): void {
  for (let ic = 0; ic < M; ic += MC) {
    const mc = min(MC, M - ic);
    packA(mc, kc, pa + off(ic, sam), sam, sak, Ap);
    for (let jr = 0; jr < nc; jr += NR) {
      const nr = min(NR, nc - jr);
      const bp = Bp + (<usize>(jr * kc) << 2);
      for (let ir = 0; ir < mc; ir += MR) {
        const mr = min(MR, mc - ir);
        const cp = pc + off(ic + ir, scm) + off(jr, scn);
        if (MR == 6) kernel6x8(kc, Ap + (<usize>(ir * kc) << 2), bp, cp, scm, scn, acc, mr, nr, tile);
        else kernel4x8(kc, Ap + (<usize>(ir * kc) << 2), bp, cp, scm, scn, acc, mr, nr, tile);
      }
    }
  }
}

/** Columns of B rounded up to whole NR panels. */
@inline function padN(N: i32): i32 {
  return (N + NR - 1) / NR * NR;
}

/** Bytes of a B packed by sgemmPackB (N <= NC). */
export function sgemmPackedBytes(N: i32, K: i32): i32 {
  return K * padN(N) * 4;
}

/**
 * Pack all of B [K, N] (N <= NC) once, K-block by K-block (block p0 at p0 * padN(N) floats), so that
 * chunks of rows of one product (threads) share it instead of each packing it again: sgemmPrepacked.
 */
export function sgemmPackB(N: i32, K: i32, pb: usize, sbk: i32, sbn: i32, dst: usize): void {
  const np = padN(N);
  for (let p0 = 0; p0 < K; p0 += KC) packB(min(KC, K - p0), N, pb + off(p0, sbk), sbk, sbn, dst + (<usize>(p0 * np) << 2));
}

/**
 * C = A B with B packed by sgemmPackB (N <= NC): the same blocking and arithmetic as sgemm on the
 * same operands (bit-identical results), for any rows M >= 1 of a larger product.
 */
export function sgemmPrepacked(M: i32, N: i32, K: i32, pa: usize, sam: i32, sak: i32, bpk: usize, pc: usize, scm: i32, scn: i32, ws: usize): void {
  if (M <= 0 || N <= 0) return;
  const Ap = (ws + 15) & ~(<usize>15);
  const tile = Ap + (<usize>(MC * KC) << 2) + (<usize>(KC * NC) << 2);
  const np = padN(N);
  for (let p0 = 0; p0 < K; p0 += KC) blocks(M, N, min(KC, K - p0), pa + off(p0, sak), sam, sak, bpk + (<usize>(p0 * np) << 2), pc, scm, scn, p0 > 0, Ap, tile);
}

/** Any dtype: C = A B (+ C when beta), float64 accumulation; skips zero a's like the reference. */
export function gemmGeneric(dt: i32, M: i32, N: i32, K: i32, pa: usize, sam: i32, sak: i32, pb: usize, sbk: i32, sbn: i32, pc: usize, scm: i32, scn: i32, beta: i32): void {
  const sh: i32 = dt == 1 ? 3 : dt >= 3 ? 0 : 2;
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      const p = pc + <usize>((i * scm + j * scn) << sh);
      let s = beta ? ld(dt, p) : 0.0;
      for (let k = 0; k < K; k++) {
        const av = ld(dt, pa + <usize>((i * sam + k * sak) << sh));
        if (av == 0) continue;
        s += av * ld(dt, pb + <usize>((k * sbk + j * sbn) << sh));
      }
      st(dt, p, s);
    }
  }
}

/** Batched matmul: out[b] = a[b] @ b[b] for b in [0, B); batch strides may be 0. */
export function matmul(dt: i32, B: i32, M: i32, N: i32, K: i32, pa: usize, sab: i32, sam: i32, sak: i32, pb: usize, sbb: i32, sbk: i32, sbn: i32, pc: usize, scb: i32, scm: i32, scn: i32, ws: usize): void {
  const sh: i32 = dt == 1 ? 3 : dt >= 3 ? 0 : 2;
  for (let bi = 0; bi < B; bi++) {
    const a = pa + <usize>((bi * sab) << sh), b = pb + <usize>((bi * sbb) << sh), c = pc + <usize>((bi * scb) << sh);
    if (dt == F32) sgemm(M, N, K, a, sam, sak, b, sbk, sbn, c, scm, scn, 0, ws);
    else gemmGeneric(dt, M, N, K, a, sam, sak, b, sbk, sbn, c, scm, scn, 0);
  }
}
