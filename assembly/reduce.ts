// Reductions (sum/prod/max/min into a float64 accumulator, like the reference), argmax/argmin along
// one axis, cumsum along one axis.
import { F32, I32, ERR_INDEX, shiftOf, ld, st, fail, errCode, mv as mvEl } from './common';
import { iterInit, iterNext, itN, s0, s1, s2, o0, o1, o2 } from './iter';
import { SUM, PROD, MAX, MIN } from './opcodes.generated';

/**
 * Accumulate x into acc (float64, `count` entries, first filled with the op's identity when `init`).
 * meta describes x's shape with operand 0 = x strides and operand 1 = acc strides (the output's
 * contiguous strides with 0 on the reduced axes). The caller then copies acc into the output; it
 * splits an x of more than 2^31 - 1 elements into pieces, the later ones with init = 0.
 */
export function reduce(op: i32, dt: i32, px: usize, acc: usize, count: i32, meta: usize, init: i32): i32 {
  const id: f64 = op == SUM ? 0.0 : op == PROD ? 1.0 : op == MAX ? -Infinity : Infinity;
  if (init) for (let i = 0; i < count; i++) store<f64>(acc + (<usize>i << 3), id);
  const rows = iterInit(meta, 2, shiftOf(dt) | (3 << 4));
  for (let r = 0; r < rows; r++) {
    let a = px + <usize>o0, c = acc + <usize>o1;
    const n = itN, sa = s0, sc = s1;
    if (op == SUM) {
      if (sc == 0) {
        let i = 0;
        let s = load<f64>(c);
        if (dt == F32 && sa == 4) {
          // NOTE: four float64 partial sums (SIMD); the reference sums sequentially in float64.
          let v0 = f64x2.splat(0), v1 = f64x2.splat(0);
          for (; i + 4 <= n; i += 4) {
            const x = v128.load(a + (<usize>i << 2));
            v0 = f64x2.add(v0, f64x2.promote_low_f32x4(x));
            v1 = f64x2.add(v1, f64x2.promote_low_f32x4(i32x4.shuffle(x, x, 2, 3, 0, 1)));
          }
          const v = f64x2.add(v0, v1);
          s += f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
          a += <usize>(i << 2);
        }
        for (; i < n; i++, a += <usize>sa) s += ld(dt, a);
        store<f64>(c, s);
      } else if (dt == F32 && sa == 4 && sc == 8) {
        let i = 0;
        for (; i + 4 <= n; i += 4) {
          const x = v128.load(a + (<usize>i << 2));
          const pc = c + (<usize>i << 3);
          v128.store(pc, f64x2.add(v128.load(pc), f64x2.promote_low_f32x4(x)));
          v128.store(pc + 16, f64x2.add(v128.load(pc + 16), f64x2.promote_low_f32x4(i32x4.shuffle(x, x, 2, 3, 0, 1))));
        }
        for (; i < n; i++) store<f64>(c + (<usize>i << 3), load<f64>(c + (<usize>i << 3)) + <f64>load<f32>(a + (<usize>i << 2)));
      } else {
        for (let i = 0; i < n; i++, a += <usize>sa, c += <usize>sc) store<f64>(c, load<f64>(c) + ld(dt, a));
      }
    } else if (op == PROD) {
      for (let i = 0; i < n; i++, a += <usize>sa, c += <usize>sc) store<f64>(c, load<f64>(c) * ld(dt, a));
    } else if (op == MAX) {
      for (let i = 0; i < n; i++, a += <usize>sa, c += <usize>sc) {
        const v = ld(dt, a);
        if (v > load<f64>(c) || v != v) store<f64>(c, v);
      }
    } else {
      for (let i = 0; i < n; i++, a += <usize>sa, c += <usize>sc) {
        const v = ld(dt, a);
        if (v < load<f64>(c) || v != v) store<f64>(c, v);
      }
    }
    iterNext();
  }
  return 0;
}

/**
 * Index of the first max (isMax) or min along an axis of length len and element stride sAx;
 * NaN counts as the extreme. meta: out's shape, operand 0 = x strides, operand 1 = out strides (int32).
 */
export function argReduce(isMax: i32, dt: i32, px: usize, po: usize, len: i32, sAx: i32, meta: usize): i32 {
  const sh = shiftOf(dt);
  const step = sAx << sh;
  const rows = iterInit(meta, 2, sh | (2 << 4));
  for (let r = 0; r < rows; r++) {
    let a = px + <usize>o0, o = po + <usize>o1;
    const n = itN, sa = s0, so = s1;
    for (let i = 0; i < n; i++, a += <usize>sa, o += <usize>so) {
      let best = ld(dt, a), bi = 0;
      for (let k = 1; k < len && best == best; k++) {
        const v = ld(dt, a + <usize>(k * step));
        if (v != v || (isMax ? v > best : v < best)) {
          best = v;
          bi = k;
        }
      }
      store<i32>(o, bi);
    }
    iterNext();
  }
  return 0;
}

/** Running sum along an axis (float64 accumulator). meta: the shape with the axis set to 1. */
export function cumsum(dt: i32, dto: i32, px: usize, po: usize, len: i32, sx: i32, so: i32, meta: usize): i32 {
  const shx = shiftOf(dt), sho = shiftOf(dto);
  const stepX = sx << shx, stepO = so << sho;
  const rows = iterInit(meta, 2, shx | (sho << 4));
  for (let r = 0; r < rows; r++) {
    let a = px + <usize>o0, o = po + <usize>o1;
    const n = itN, sa = s0, sO = s1;
    for (let i = 0; i < n; i++, a += <usize>sa, o += <usize>sO) {
      let acc = 0.0;
      for (let k = 0; k < len; k++) {
        acc += ld(dt, a + <usize>(k * stepX));
        st(dto, o + <usize>(k * stepO), acc);
      }
    }
    iterNext();
  }
  return 0;
}

// ---------- gather / scatterAdd ----------
@inline function idx(dti: i32, p: usize): i32 {
  return dti == I32 ? load<i32>(p) : <i32>load<u8>(p);
}

/**
 * out = x[.., index, ..] along an axis. meta: out's shape; operand 0 = x strides with the axis
 * stride set to 0, 1 = index strides, 2 = out strides. x and out share dtype dt.
 */
// NOTE: `len` is read as unsigned (the JS side passes min(len, 2^32 - 1)), so one unsigned compare
// rejects negative indices and those >= len, and an axis longer than 2^31 (a broadcast one) still works.
export function gather(dt: i32, dti: i32, px: usize, pi: usize, po: usize, len: i32, sAx: i32, meta: usize): i32 {
  errCode = 0;
  const sh = shiftOf(dt), shi = shiftOf(dti);
  const step = sAx << sh;
  const rows = iterInit(meta, 3, sh | (shi << 4) | (sh << 8));
  for (let r = 0; r < rows; r++) {
    let a = px + <usize>o0, ip = pi + <usize>o1, o = po + <usize>o2;
    const n = itN, sa = s0, si = s1, so = s2;
    if (si == 0) {
      // one index for the whole row (index_select, embedding): move a row
      const k = idx(dti, ip);
      if (<u32>k >= <u32>len) {
        fail(ERR_INDEX, <f64>k);
        return errCode;
      }
      const src = a + <usize>(k * step);
      if (sa == 1 << sh && so == 1 << sh) memory.copy(o, src, <usize>n << sh);
      else for (let i = 0; i < n; i++) mvEl(sh, src + <usize>(i * sa), o + <usize>(i * so));
      iterNext();
      continue;
    }
    for (let i = 0; i < n; i++, a += <usize>sa, ip += <usize>si, o += <usize>so) {
      const k = idx(dti, ip);
      if (<u32>k >= <u32>len) {
        fail(ERR_INDEX, <f64>k);
        return errCode;
      }
      const src = a + <usize>(k * step);
      if (sh == 2) store<u32>(o, load<u32>(src));
      else if (sh == 3) store<u64>(o, load<u64>(src));
      else store<u8>(o, load<u8>(src));
    }
    iterNext();
  }
  return 0;
}

/**
 * out[.., index, ..] += src along an axis, in place. meta: index's shape; operand 0 = out strides
 * with the axis stride set to 0, 1 = index strides, 2 = src strides. out and src share dtype dt.
 */
export function scatterAdd(dt: i32, dti: i32, po: usize, pi: usize, ps: usize, len: i32, sAx: i32, meta: usize): i32 {
  errCode = 0;
  const sh = shiftOf(dt), shi = shiftOf(dti);
  const step = sAx << sh;
  const rows = iterInit(meta, 3, sh | (shi << 4) | (sh << 8));
  for (let r = 0; r < rows; r++) {
    let o = po + <usize>o0, ip = pi + <usize>o1, s = ps + <usize>o2;
    const n = itN, so = s0, si = s1, ss = s2;
    for (let i = 0; i < n; i++, o += <usize>so, ip += <usize>si, s += <usize>ss) {
      const k = idx(dti, ip);
      if (<u32>k >= <u32>len) {
        fail(ERR_INDEX, <f64>k);
        return errCode;
      }
      const dst = o + <usize>(k * step);
      if (dt == F32) store<f32>(dst, load<f32>(dst) + load<f32>(s));
      else st(dt, dst, ld(dt, dst) + ld(dt, s));
    }
    iterNext();
  }
  return 0;
}

