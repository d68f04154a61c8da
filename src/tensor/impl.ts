// The implementation table of the Tensor methods.
//
// Note [Tensor impl]: the ops and autograd layers import Tensor (to construct tensors, for instanceof),
// so the tensor layer cannot import them back. The methods stay on the class and call the ops through
// `ops`, one table that ../ops/register.ts fills once at import. The core entry imports it, and so does
// every module above the ops layer that uses tensors and can be imported alone (nn/module.ts,
// optim/optimizer.ts, data/dataset.ts, ...: test/package/imports.test.ts checks that each one reaches it).
// A method is then `ops.binary('mul', this, o)`: a plain property call on an object with a fixed shape,
// as cheap as the namespace import it replaces, with no lookup by name and no closure per call. Before
// registration every entry throws a FastgradError that says what to import.
import type { BinaryOp, Backend, Storage, UnaryOp } from '../backend/backend.js';
import { FastgradError } from '../errors.js';
import type { DType } from './dtype.js';
import type { Tensor } from './tensor.js';
import type { BackwardOptions, Dims, IndexItem, Scalar, SortOpts, SumOpts, TensorLike, TopkOpts, ValuesIndices, VarOpts } from './types.js';

type Shape = readonly number[];

/** What the Tensor methods need from ops/ and autograd/ (each entry is the op function itself). */
export interface TensorOps {
  // ops/core.ts
  emptyTensor(shape: Shape, dtype: DType, be: Backend): Tensor;
  copyRaw(t: Tensor, dtype?: DType): Tensor;
  castTo(t: Tensor, dtype: DType): Tensor;
  movedTo(t: Tensor, target: string, storage: Storage): Tensor;
  // ops/elementwise.ts
  unary(op: UnaryOp, x: Tensor): Tensor;
  binary(op: BinaryOp, a: Tensor, b: TensorLike): Tensor;
  addSub(op: 'add' | 'sub', a: Tensor, b: TensorLike, alpha?: number): Tensor;
  rsub(x: Tensor, other: TensorLike, alpha?: number): Tensor;
  divRounding(a: Tensor, b: TensorLike, mode: 'floor' | 'trunc'): Tensor;
  isinf(x: Tensor): Tensor;
  clamp(x: Tensor, min: number | null, max: number | null, gradFn?: string): Tensor;
  where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor;
  // ops/inplace.ts
  fill_(self: Tensor, v: Scalar): Tensor;
  binaryInplace(op: 'add' | 'sub' | 'mul' | 'div', self: Tensor, other: TensorLike, alpha?: number): Tensor | null;
  inplace(self: Tensor, compute: (x: Tensor) => Tensor, opName: string): Tensor;
  copyInto(x: Tensor, src: Tensor): Tensor;
  // ops/reduce.ts
  sum(x: Tensor, dim: Dims, keepdim: boolean, opts?: SumOpts): Tensor;
  mean(x: Tensor, dim: Dims, keepdim: boolean): Tensor;
  prod(x: Tensor, dim: number | null | undefined, keepdim: boolean): Tensor;
  amaxmin(x: Tensor, which: 'max' | 'min', dim: Dims, keepdim: boolean, fullName?: string): Tensor;
  maxminDim(x: Tensor, which: 'max' | 'min', dim: number, keepdim: boolean): ValuesIndices;
  argReduce(x: Tensor, op: 'argmax' | 'argmin', dim: number | null | undefined, keepdim: boolean): Tensor;
  variance(x: Tensor, dim: Dims, opts: VarOpts, std: boolean): Tensor;
  cumsum(x: Tensor, dim: number, opts?: SumOpts): Tensor;
  logsumexp(x: Tensor, dim: Dims, keepdim: boolean): Tensor;
  softmax(x: Tensor, dim: number): Tensor;
  logSoftmax(x: Tensor, dim: number): Tensor;
  allAny(x: Tensor, which: 'all' | 'any', dim: Dims, keepdim: boolean): Tensor;
  norm(x: Tensor, p: number, dim: Dims, keepdim: boolean): Tensor;
  // ops/movement.ts
  view(x: Tensor, shape: Shape): Tensor;
  reshape(x: Tensor, shape: Shape): Tensor;
  permute(x: Tensor, dims: Shape): Tensor;
  transpose(x: Tensor, d0: number, d1: number, name?: string): Tensor;
  unsqueeze(x: Tensor, dim: number): Tensor;
  squeeze(x: Tensor, dim?: number | Shape | null): Tensor;
  expand(x: Tensor, shape: Shape): Tensor;
  flatten(x: Tensor, startDim: number, endDim: number): Tensor;
  unflatten(x: Tensor, dim: number, sizes: Shape): Tensor;
  narrow(x: Tensor, dim: number, start: number, length: number): Tensor;
  select(x: Tensor, dim: number, index: number): Tensor;
  slice(x: Tensor, dim: number, start: number | null, end: number | null, step: number): Tensor;
  flip(x: Tensor, dims: number | Shape): Tensor;
  repeat(x: Tensor, sizes: Shape): Tensor;
  split(x: Tensor, sizeOrSections: number | Shape, dim: number): Tensor[];
  chunk(x: Tensor, chunks: number, dim: number): Tensor[];
  unbind(x: Tensor, dim: number): Tensor[];
  clone(x: Tensor): Tensor;
  contiguous(x: Tensor): Tensor;
  // ops/indexing.ts, ops/sort.ts
  getItem(x: Tensor, items: readonly IndexItem[]): Tensor;
  setItem(x: Tensor, items: readonly IndexItem[], value: TensorLike): Tensor;
  gather(x: Tensor, dim: number, index: Tensor): Tensor;
  scatter(x: Tensor, dim: number, index: Tensor, src: TensorLike): Tensor;
  scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor;
  indexSelect(x: Tensor, dim: number, index: Tensor): Tensor;
  maskedFill(x: Tensor, mask: Tensor, value: number | Tensor): Tensor;
  nonzero(x: Tensor): Tensor;
  sort(x: Tensor, dim: number, opts: SortOpts): ValuesIndices;
  argsort(x: Tensor, dim: number, opts: SortOpts): Tensor;
  topk(x: Tensor, k: number, opts: TopkOpts): ValuesIndices;
  // ops/linalg.ts
  matmul(a: Tensor, b: Tensor): Tensor;
  mm(a: Tensor, b: Tensor): Tensor;
  bmm(a: Tensor, b: Tensor): Tensor;
  dot(a: Tensor, b: Tensor): Tensor;
  mv(a: Tensor, b: Tensor): Tensor;
  // autograd/engine.ts
  backward(t: Tensor, gradient: Tensor | null | undefined, opts: BackwardOptions): void;
}

const notRegistered = new Proxy({} as TensorOps, {
  get(_target, key): never {
    throw new FastgradError(
      `the ops are not registered (Tensor needed ops.${String(key)}): import 'fastgrad' (or 'fastgrad/node'); ` +
        `code that imports fastgrad's internal modules directly imports src/ops/register.js once first`,
    );
  },
});

/** The implementation table (a live binding: the registered table once ops/register.ts has run). */
export let ops: TensorOps = notRegistered;

/** Install the implementation table; ops/register.ts calls this once. */
export function registerOps(table: TensorOps): void {
  ops = table;
}

/** True once the ops are registered. */
export function opsRegistered(): boolean {
  return ops !== notRegistered;
}
