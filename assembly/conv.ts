// NCHW conv2d (cross-correlation, like torch) and its two backward passes via im2col + GEMM.
// Operands are contiguous (the JS side copies any other layout first). A parameter block of i32 at pp:
//   0 N, 1 C, 2 H, 3 W, 4 O, 5 KH, 6 KW, 7 OH, 8 OW, 9 sh, 10 sw, 11 ph, 12 pw, 13 dh, 14 dw, 15 groups.
// Each entry point takes a range (images or output channels) so threads can split the work.
import { F32, F64, I32, shiftOf } from './common';
import { sgemm, gemmGeneric } from './gemm';

@inline function P(pp: usize, i: i32): i32 {
  return load<i32>(pp + (<usize>i << 2));
}

/** Unfold one image's cg channels (x: [cg, H, W] contiguous) into col [cg*KH*KW, OH*OW]. */
function im2col<T>(x: usize, col: usize, cg: i32, pp: usize): void {
  const H = P(pp, 2), W = P(pp, 3), KH = P(pp, 5), KW = P(pp, 6), OH = P(pp, 7), OW = P(pp, 8);
  const sh = P(pp, 9), sw = P(pp, 10), ph = P(pp, 11), pw = P(pp, 12), dh = P(pp, 13), dw = P(pp, 14);
  const es = <usize>sizeof<T>();
  let d = col;
  for (let c = 0; c < cg; c++) {
    const xc = x + <usize>(c * H * W) * es;
    for (let ky = 0; ky < KH; ky++) {
      for (let kx = 0; kx < KW; kx++) {
        const shift = kx * dw - pw;
        // ox range where ix = ox*sw + shift lands in [0, W)
        let lo = shift >= 0 ? 0 : (-shift + sw - 1) / sw;
        let hi = W - shift <= 0 ? 0 : (W - shift + sw - 1) / sw;
        if (hi > OW) hi = OW;
        if (lo > hi) lo = hi;
        for (let oy = 0; oy < OH; oy++, d += <usize>OW * es) {
          const iy = oy * sh - ph + ky * dh;
          if (iy < 0 || iy >= H) {
            memory.fill(d, 0, <usize>OW * es);
            continue;
          }
          const xr = xc + <usize>(iy * W) * es;
          if (lo > 0) memory.fill(d, 0, <usize>lo * es);
          if (sw == 1) {
            if (hi > lo) memory.copy(d + <usize>lo * es, xr + <usize>(lo + shift) * es, <usize>(hi - lo) * es);
          } else {
            for (let ox = lo; ox < hi; ox++) store<T>(d + <usize>ox * es, load<T>(xr + <usize>(ox * sw + shift) * es));
          }
          if (hi < OW) memory.fill(d + <usize>hi * es, 0, <usize>(OW - hi) * es);
        }
      }
    }
  }
}

/** Fold col [cg*KH*KW, OH*OW] back onto one image's channels (x [cg, H, W]), adding. */
function col2im<T>(col: usize, x: usize, cg: i32, pp: usize): void {
  const H = P(pp, 2), W = P(pp, 3), KH = P(pp, 5), KW = P(pp, 6), OH = P(pp, 7), OW = P(pp, 8);
  const sh = P(pp, 9), sw = P(pp, 10), ph = P(pp, 11), pw = P(pp, 12), dh = P(pp, 13), dw = P(pp, 14);
  const es = <usize>sizeof<T>();
  let d = col;
  for (let c = 0; c < cg; c++) {
    const xc = x + <usize>(c * H * W) * es;
    for (let ky = 0; ky < KH; ky++) {
      for (let kx = 0; kx < KW; kx++) {
        const shift = kx * dw - pw;
        let lo = shift >= 0 ? 0 : (-shift + sw - 1) / sw;
        let hi = W - shift <= 0 ? 0 : (W - shift + sw - 1) / sw;
        if (hi > OW) hi = OW;
        if (lo > hi) lo = hi;
        for (let oy = 0; oy < OH; oy++, d += <usize>OW * es) {
          const iy = oy * sh - ph + ky * dh;
          if (iy < 0 || iy >= H) continue;
          const xr = xc + <usize>(iy * W) * es;
          for (let ox = lo; ox < hi; ox++) {
            const p = xr + <usize>(ox * sw + shift) * es;
            store<T>(p, load<T>(p) + load<T>(d + <usize>ox * es));
          }
        }
      }
    }
  }
}

@inline function gemm(dt: i32, M: i32, N: i32, K: i32, pa: usize, sam: i32, sak: i32, pb: usize, sbk: i32, sbn: i32, pc: usize, scm: i32, scn: i32, beta: i32, ws: usize): void {
  if (dt == F32) sgemm(M, N, K, pa, sam, sak, pb, sbk, sbn, pc, scm, scn, beta, ws);
  else gemmGeneric(dt, M, N, K, pa, sam, sak, pb, sbk, sbn, pc, scm, scn, beta);
}

function unfold(dt: i32, x: usize, col: usize, cg: i32, pp: usize): void {
  if (dt == F32) im2col<f32>(x, col, cg, pp);
  else if (dt == F64) im2col<f64>(x, col, cg, pp);
  else if (dt == I32) im2col<i32>(x, col, cg, pp);
  else im2col<u8>(x, col, cg, pp);
}

function fold(dt: i32, col: usize, x: usize, cg: i32, pp: usize): void {
  if (dt == F32) col2im<f32>(col, x, cg, pp);
  else if (dt == F64) col2im<f64>(col, x, cg, pp);
  else if (dt == I32) col2im<i32>(col, x, cg, pp);
  else col2im<u8>(col, x, cg, pp);
}

@inline function direct(pp: usize): bool {
  return P(pp, 5) == 1 && P(pp, 6) == 1 && P(pp, 9) == 1 && P(pp, 10) == 1 && P(pp, 11) == 0 && P(pp, 12) == 0;
}

/** out[n] = conv(x[n], w) for n in [n0, n1). dt: any dtype code (float32 uses the packed sgemm). */
export function conv2dForward(dt: i32, px: usize, pw: usize, po: usize, pp: usize, n0: i32, n1: i32, col: usize, ws: usize): void {
  const C = P(pp, 1), H = P(pp, 2), W = P(pp, 3), O = P(pp, 4), KH = P(pp, 5), KW = P(pp, 6), OHW = P(pp, 7) * P(pp, 8), G = P(pp, 15);
  const cg = C / G, og = O / G, K = cg * KH * KW;
  const es: usize = <usize>1 << shiftOf(dt);
  const dir = direct(pp);
  for (let n = n0; n < n1; n++) {
    for (let g = 0; g < G; g++) {
      const xg = px + <usize>((n * C + g * cg) * H * W) * es;
      let b = xg;
      if (!dir) {
        unfold(dt, xg, col, cg, pp);
        b = col;
      }
      gemm(dt, og, OHW, K, pw + <usize>(g * og * K) * es, K, 1, b, OHW, 1, po + <usize>((n * O + g * og) * OHW) * es, OHW, 1, 0, ws);
    }
  }
}

/** gradIn[n] = conv_transpose(gradOut[n], w) for n in [n0, n1). */
export function conv2dBackwardInput(dt: i32, pg: usize, pw: usize, pi: usize, pp: usize, n0: i32, n1: i32, col: usize, ws: usize): void {
  const C = P(pp, 1), H = P(pp, 2), W = P(pp, 3), O = P(pp, 4), KH = P(pp, 5), KW = P(pp, 6), OHW = P(pp, 7) * P(pp, 8), G = P(pp, 15);
  const cg = C / G, og = O / G, K = cg * KH * KW;
  const es: usize = <usize>1 << shiftOf(dt);
  const dir = direct(pp);
  for (let n = n0; n < n1; n++) {
    for (let g = 0; g < G; g++) {
      const gi = pi + <usize>((n * C + g * cg) * H * W) * es;
      const go = pg + <usize>((n * O + g * og) * OHW) * es;
      const wg = pw + <usize>(g * og * K) * es;
      if (dir) {
        gemm(dt, cg, OHW, og, wg, 1, K, go, OHW, 1, gi, OHW, 1, 0, ws);
      } else {
        gemm(dt, K, OHW, og, wg, 1, K, go, OHW, 1, col, OHW, 1, 0, ws);
        memory.fill(gi, 0, <usize>(cg * H * W) * es);
        fold(dt, col, gi, cg, pp);
      }
    }
  }
}

/**
 * gradW = sum over images n in [n0, n1) of gradOut[n] * unfold(x[n])^T, written (not added) to pgw.
 * Threads split the images and the caller sums their partial gradW's.
 */
export function conv2dBackwardWeight(dt: i32, px: usize, pg: usize, pgw: usize, pp: usize, n0: i32, n1: i32, col: usize, ws: usize): void {
  const C = P(pp, 1), H = P(pp, 2), W = P(pp, 3), O = P(pp, 4), KH = P(pp, 5), KW = P(pp, 6), OHW = P(pp, 7) * P(pp, 8), G = P(pp, 15);
  const cg = C / G, og = O / G, K = cg * KH * KW;
  const es: usize = <usize>1 << shiftOf(dt);
  const dir = direct(pp);
  if (n1 <= n0) {
    memory.fill(pgw, 0, <usize>(O * K) * es);
    return;
  }
  for (let g = 0; g < G; g++) {
    const gw = pgw + <usize>(g * og * K) * es;
    for (let n = n0; n < n1; n++) {
      const xg = px + <usize>((n * C + g * cg) * H * W) * es;
      let b = xg;
      if (!dir) {
        unfold(dt, xg, col, cg, pp);
        b = col;
      }
      gemm(dt, og, K, OHW, pg + <usize>((n * O + g * og) * OHW) * es, OHW, 1, b, 1, OHW, gw, K, 1, n > n0 ? 1 : 0, ws);
    }
  }
}
