// Note [Primitive table]: the one list of the elementwise and reduce primitives every backend
// implements. A leaf module: backends import it without importing the registry in backend.ts.
// - cpu: the kernel tables in cpu/elementwise.ts are typed `{ [P in UnaryOp]: ... }` and keep this order;
// - wasm: an op's code is its position here, both in the TS backend (wasm/backend.ts) and in the
//   AssemblyScript kernels, which import assembly/opcodes.generated.ts, written from these lists by
//   scripts/gen-opcodes.mjs (`node scripts/gen-opcodes.mjs` after changing them);
// test/backend/primitives.test.ts checks that all of them agree, names and order.
// Append new ops at the end of a list: codes of the others then stay the same.
export const UNARY_OPS = [
  'neg', 'abs', 'exp', 'log', 'sqrt', 'rsqrt', 'sigmoid', 'tanh', 'relu', 'sin', 'cos', 'tan',
  'floor', 'ceil', 'round', 'trunc', 'sign', 'reciprocal', 'expm1', 'log1p', 'log2', 'exp2',
  'square', 'logicalNot', 'isnan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'erf', 'frac',
] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

export const BINARY_OPS = [
  'add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'floorDivide', 'remainder', 'atan2',
  'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr', 'logicalXor',
  'bitwiseAnd', 'bitwiseOr', 'bitwiseXor',
] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];
export const COMPARISON_OPS: ReadonlySet<BinaryOp> = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr', 'logicalXor']);

/** Reductions into a float64 accumulator (Backend.reduce). */
export const REDUCE_OPS = ['sum', 'prod', 'max', 'min'] as const;
export type ReduceOp = (typeof REDUCE_OPS)[number];

/** Position of each op in its list: the wasm kernels' op codes. */
export const opCodes = <T extends string>(ops: readonly T[]): Record<T, number> =>
  Object.fromEntries(ops.map((o, i) => [o, i])) as Record<T, number>;
