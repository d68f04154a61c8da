// Shared helpers for the wasm kernels: dtype codes, load/store with the reference backend's
// conversions, and the error slot kernels report through.
//
// Dtype codes (must match src/backend/wasm/backend.ts): the storage element type decides loads;
// BOOL is stored like U8 and differs only as a copy target (normalised to 0/1, like the reference).
export const F32: i32 = 0;
export const F64: i32 = 1;
export const I32: i32 = 2;
export const U8: i32 = 3;
export const BOOL: i32 = 4;

/** log2 of the element size per dtype code. */
@inline export function shiftOf(dt: i32): i32 {
  return dt == F64 ? 3 : dt == U8 || dt == BOOL ? 0 : 2;
}

// Error reporting: kernels return 0 on success or one of these codes; ERR_VALUE holds a detail
// (the offending index) that the JS side reads with errValue().
export const ERR_ZERO_DIV: i32 = 1;
export const ERR_INDEX: i32 = 2;
export let errCode: i32 = 0;
export let errVal: f64 = 0;
@inline export function fail(code: i32, v: f64): void {
  if (errCode == 0) {
    errCode = code;
    errVal = v;
  }
}

const TWO32: f64 = 4294967296.0;

/**
 * JS ToInt32 (what storing a number into an Int32Array does): truncate, wrap modulo 2^32,
 * NaN and ±Infinity give 0.
 */
@inline export function toInt32(v: f64): i32 {
  if (v > -2147483649.0 && v < 2147483648.0) return <i32>v;
  if (!isFinite<f64>(v)) return 0;
  const t = Math.trunc(v);
  const r = t - Math.floor(t * (1.0 / TWO32)) * TWO32;
  return <i32>(<u32>r);
}

/** Load element at byte address p of dtype dt, widened to f64. */
@inline export function ld(dt: i32, p: usize): f64 {
  if (dt == F32) return <f64>load<f32>(p);
  if (dt == F64) return load<f64>(p);
  if (dt == I32) return <f64>load<i32>(p);
  return <f64>load<u8>(p);
}

/** Store v at byte address p, converting like a typed-array store (BOOL normalises to 0/1). */
@inline export function st(dt: i32, p: usize, v: f64): void {
  if (dt == F32) store<f32>(p, <f32>v);
  else if (dt == F64) store<f64>(p, v);
  else if (dt == I32) store<i32>(p, toInt32(v));
  else if (dt == U8) store<u8>(p, <u8>toInt32(v));
  else store<u8>(p, v != 0 ? 1 : 0);
}

/** Copy one element's raw bytes (same dtype on both sides). */
@inline export function mv(shift: i32, src: usize, dst: usize): void {
  if (shift == 2) store<u32>(dst, load<u32>(src));
  else if (shift == 3) store<u64>(dst, load<u64>(src));
  else store<u8>(dst, load<u8>(src));
}
