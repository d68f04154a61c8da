// Reads for tests that run on every backend: awaited, so they work on devices without synchronous
// reads ('cpu-async', webgpu). `expect(await vals(t)).toEqual([[1, 2]])` instead of `t.tolist()`.
import type { NestedArray, Tensor, TypedArray } from '../../src/index.js';

/** t.tolist(), awaited. */
export const vals = (t: Tensor): Promise<NestedArray> => t.tolistAsync();
/** t.item(), awaited. */
export const val = (t: Tensor): Promise<number> => t.itemAsync();
/** t.dataSync(), awaited. */
export const data = (t: Tensor): Promise<TypedArray> => t.dataAsync();
/** The values of several tensors (or null), awaited together. */
export const allVals = (ts: readonly (Tensor | null)[]): Promise<(NestedArray | null)[]> => Promise.all(ts.map((t) => (t ? t.tolistAsync() : null)));
