// The wasm kernels count elements, dim sizes and rows in i32. Views of broadcast (stride-0) dims can
// hold more than 2^31 - 1 elements (`ones([1]).expand(2 ** 31 + 8)`), so an op over such a shape is
// split here into pieces that fit; each piece is an ordinary call of the same kernel.
//
// NOTE: limits that remain: the wasm memory is at most 4 GiB, so a materialised tensor has at most
// 2^32 bytes; strides are passed as i32 and wrap modulo 2^32, which the kernels' 32-bit address
// arithmetic undoes for any view inside that memory; reductions accumulate in float64, whose counts
// (a sum of ones) stay exact up to 2^53 elements, the most a view can have (checkShape).
import type { View } from '../backend.js';
import { numel } from '../cpu/iter.js';

/** Most elements (and so rows, merged dims) one kernel call iterates over. */
export const I32_MAX = 2 ** 31 - 1;

/**
 * Call fn once per piece of `shape` of at most I32_MAX elements (halves of its longest dim,
 * recursively), with each operand's element offset of the piece; strides[j] null is a scalar operand.
 */
export function forPieces(
  shape: readonly number[],
  strides: readonly (readonly number[] | null)[],
  fn: (shape: number[], offs: number[]) => void,
  offs: number[] = strides.map(() => 0),
): void {
  if (numel(shape) <= I32_MAX) {
    fn(shape.slice(), offs);
    return;
  }
  let d = 0;
  for (let i = 1; i < shape.length; i++) if (shape[i]! > shape[d]!) d = i;
  const h = Math.floor(shape[d]! / 2);
  const lo = shape.slice(), hi = shape.slice();
  lo[d] = h;
  hi[d] = shape[d]! - h;
  forPieces(lo, strides, fn, offs);
  forPieces(hi, strides, fn, offs.map((o, j) => o + h * (strides[j]?.[d] ?? 0)));
}

/** The views (or scalars) of an elementwise op, cut into pieces of at most I32_MAX elements. */
export function inPieces(shape: readonly number[], ops: readonly (View | number)[], fn: (pieces: (View | number)[]) => void): void {
  forPieces(shape, ops.map((v) => (typeof v === 'number' ? null : v.strides)), (sh, offs) =>
    fn(ops.map((v, j) => (typeof v === 'number' ? v : { storage: v.storage, shape: sh, strides: v.strides, offset: v.offset + offs[j]! }))),
  );
}
