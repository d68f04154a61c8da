// The names of the elementwise primitives (a leaf module: backends import it without importing the
// registry in backend.ts, which imports them).
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
