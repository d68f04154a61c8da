// Strided N-d iteration over up to 4 operands in lock-step (the wasm twin of src/backend/cpu/iter.ts).
// The JS side writes a metadata block: [ndim, shape[ndim], strides of operand 0[ndim], of operand 1, ...]
// (element strides, i32). iterInit drops size-1 dims, merges dims that are contiguous for every
// operand, converts strides to bytes, and leaves the innermost row length and strides in globals;
// iterNext advances the byte offsets of the operands to the next row.
//
// NOTE: every thread instantiates this module on the same shared memory, so the iteration state must
// not live in static data: each instance gets its own block (setIterBase, ITER_BYTES) at start-up.
export const MAXD: i32 = 32;
export const ITER_BYTES: i32 = MAXD * 4 * 6;
let SHAPE: usize = 0;
let COUNT: usize = 0;
let STR: usize = 0;

/** Give this instance (thread) its iteration state block of ITER_BYTES bytes. */
export function setIterBase(p: usize): void {
  SHAPE = p;
  COUNT = p + <usize>(MAXD * 4);
  STR = p + <usize>(MAXD * 8);
}

export let itN: i32 = 0; // innermost row length
export let itNd: i32 = 0; // merged dims, innermost included
export let s0: i32 = 0; // innermost byte strides per operand
export let s1: i32 = 0;
export let s2: i32 = 0;
export let s3: i32 = 0;
export let o0: i32 = 0; // byte offsets of the current row per operand
export let o1: i32 = 0;
export let o2: i32 = 0;
export let o3: i32 = 0;

@inline function strAt(j: i32, d: i32): usize {
  return STR + ((<usize>(j * MAXD + d)) << 2);
}

/**
 * Prepare iteration; returns the number of rows (0 when the shape has a zero dim).
 * shifts: log2 element size of operands 0..3, packed 4 bits each.
 */
export function iterInit(meta: usize, nops: i32, shifts: i32): i32 {
  const ndIn = load<i32>(meta);
  let nd = 0;
  for (let d = 0; d < ndIn; d++) {
    const s = load<i32>(meta + ((<usize>(1 + d)) << 2));
    if (s == 0) return 0;
    if (s == 1) continue;
    let merge = nd > 0;
    if (merge) {
      for (let j = 0; j < nops; j++) {
        const sIn = load<i32>(meta + ((<usize>(1 + ndIn * (j + 1) + d)) << 2));
        if (load<i32>(strAt(j, nd - 1)) != sIn * s) {
          merge = false;
          break;
        }
      }
    }
    if (merge) {
      store<i32>(SHAPE + ((<usize>(nd - 1)) << 2), load<i32>(SHAPE + ((<usize>(nd - 1)) << 2)) * s);
      for (let j = 0; j < nops; j++) store<i32>(strAt(j, nd - 1), load<i32>(meta + ((<usize>(1 + ndIn * (j + 1) + d)) << 2)));
    } else {
      store<i32>(SHAPE + ((<usize>nd) << 2), s);
      for (let j = 0; j < nops; j++) store<i32>(strAt(j, nd), load<i32>(meta + ((<usize>(1 + ndIn * (j + 1) + d)) << 2)));
      nd++;
    }
  }
  // element strides -> byte strides
  for (let j = 0; j < nops; j++) {
    const sh = (shifts >> (j * 4)) & 15;
    for (let d = 0; d < nd; d++) store<i32>(strAt(j, d), load<i32>(strAt(j, d)) << sh);
  }
  for (let j = nops; j < 4; j++) for (let d = 0; d < nd; d++) store<i32>(strAt(j, d), 0);
  o0 = 0; o1 = 0; o2 = 0; o3 = 0;
  itNd = nd;
  if (nd == 0) {
    itN = 1;
    s0 = 0; s1 = 0; s2 = 0; s3 = 0;
    return 1;
  }
  itN = load<i32>(SHAPE + ((<usize>(nd - 1)) << 2));
  s0 = load<i32>(strAt(0, nd - 1));
  s1 = load<i32>(strAt(1, nd - 1));
  s2 = load<i32>(strAt(2, nd - 1));
  s3 = load<i32>(strAt(3, nd - 1));
  let rows = 1;
  for (let d = 0; d < nd - 1; d++) {
    rows *= load<i32>(SHAPE + ((<usize>d) << 2));
    store<i32>(COUNT + ((<usize>d) << 2), 0);
  }
  return rows;
}

/** Advance to the next row (call after processing each row). */
export function iterNext(): void {
  for (let d = itNd - 2; d >= 0; d--) {
    const c = load<i32>(COUNT + ((<usize>d) << 2)) + 1;
    o0 += load<i32>(strAt(0, d));
    o1 += load<i32>(strAt(1, d));
    o2 += load<i32>(strAt(2, d));
    o3 += load<i32>(strAt(3, d));
    const n = load<i32>(SHAPE + ((<usize>d) << 2));
    if (c < n) {
      store<i32>(COUNT + ((<usize>d) << 2), c);
      return;
    }
    o0 -= load<i32>(strAt(0, d)) * n;
    o1 -= load<i32>(strAt(1, d)) * n;
    o2 -= load<i32>(strAt(2, d)) * n;
    o3 -= load<i32>(strAt(3, d)) * n;
    store<i32>(COUNT + ((<usize>d) << 2), 0);
  }
}
