// The argument and result types of the Tensor methods (option objects, torch's slice and (values,
// indices) tuple). They live in the tensor layer so that tensor.ts and the implementation table
// (impl.ts) can name them without importing ops/ or autograd/; those layers re-export them, so
// `import { type SumOpts } from '../ops/reduce.js'` and the like keep working.
import type { DType } from './dtype.js';
import type { Tensor } from './tensor.js';

export type Scalar = number | boolean;
/** A tensor or a Python-like scalar operand: `t.add(1)`, `t.lt(other)`. */
export type TensorLike = Tensor | Scalar;
/** The `dim` argument of reductions: one dim, several, or all (null/undefined). */
export type Dims = number | readonly number[] | null | undefined;

export interface SumOpts {
  dtype?: DType;
}

export interface VarOpts {
  /** Bessel's correction; torch's default 1 (unbiased). */
  correction?: number;
  unbiased?: boolean;
  keepdim?: boolean;
}

export interface SortOpts {
  descending?: boolean;
  /** torch's stable=True; this sort is always stable. */
  stable?: boolean;
}

export interface TopkOpts {
  dim?: number;
  largest?: boolean;
  sorted?: boolean;
}

export interface BackwardOptions {
  retainGraph?: boolean;
  createGraph?: boolean;
}

/** torch's (values, indices) named tuple: `const [v, i] = x.max(1)` or `x.max(1).values`. */
export class ValuesIndices {
  constructor(readonly values: Tensor, readonly indices: Tensor) {}
  get 0(): Tensor {
    return this.values;
  }
  get 1(): Tensor {
    return this.indices;
  }
  *[Symbol.iterator](): Iterator<Tensor> {
    yield this.values;
    yield this.indices;
  }
}

/** A Python slice `start:stop:step`. */
export class Slice {
  constructor(readonly start: number | null = null, readonly stop: number | null = null, readonly step: number | null = null) {}
  toString(): string {
    return `${this.start ?? ''}:${this.stop ?? ''}${this.step !== null ? `:${this.step}` : ''}`;
  }
}

/** One item of `t.get(...)` / `t.set(...)`: see Note [Index syntax] in ops/indexing.ts. */
export type IndexItem = number | null | string | Slice | Tensor | readonly number[] | readonly boolean[];

/** Nested JS arrays of a tensor's values (`t.tolist()`), or one value for a 0-d tensor. */
export type NestedArray = number | boolean | readonly NestedArray[];
