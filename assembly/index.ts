// Entry point of the fastgrad wasm kernels (compiled by scripts/build-wasm.mjs into
// src/backend/wasm/generated/). The JS side is src/backend/wasm/.
export { fill, copy, unary, binary, where, clamp } from './elementwise';
export { reduce, argReduce, cumsum, gather, scatterAdd } from './reduce';
export { sgemm, gemmGeneric, matmul, sgemmWorkspaceBytes, sgemmPackB, sgemmPackedBytes, sgemmPrepacked } from './gemm';
export { conv2dForward, conv2dBackwardInput, conv2dBackwardWeight } from './conv';
export { sgdStep, adamStep } from './optim';
import { errVal } from './common';
import { MAXD, ITER_BYTES } from './iter';
export { setIterBase } from './iter';

export function errValue(): f64 {
  return errVal;
}
export function heapBase(): usize {
  return __heap_base;
}
export function maxDims(): i32 {
  return MAXD;
}
export function relaxedSimd(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}
export function iterBytes(): i32 {
  return ITER_BYTES;
}
