// The Tensor: (storage on a device, dtype, shape, strides, offset) plus autograd state. Methods are
// thin, documented delegations to the op families in ops/, named after PyTorch's in camelCase; they
// reach ops/ and autograd/ through the implementation table `ops` (Note [Tensor impl] in impl.ts), so
// this layer imports neither.
import { type Storage, type View, getBackend } from '../backend/backend.js';
import { AutogradError, DTypeError, ShapeError, SyncReadError, fmtShape } from '../errors.js';
import { DTYPES, type DType, type TypedArray, isFloating } from './dtype.js';
import { ops } from './impl.js';
import { Node } from './node.js';
import { type Generator, bernoulliFill, fillRandom_, normalFill, uniformFill } from './random.js';
import { checkScalar, formatValues, nest, readWith, syncReadError, unreadable } from './read.js';
import { isContiguous, normDim } from './shape.js';
import type {
  BackwardOptions, Dims, IndexItem, NestedArray, SortOpts, SumOpts, TensorLike as TL, TopkOpts, ValuesIndices, VarOpts,
} from './types.js';

export type { NestedArray };

const isDType = (s: string): s is DType => (DTYPES as readonly string[]).includes(s);
type Shape = readonly number[];
const shapeArgs = (args: readonly (number | Shape)[]): number[] =>
  args.length === 1 && Array.isArray(args[0]) ? [...(args[0] as Shape)] : (args as number[]);

export class Tensor implements View {
  requiresGrad = false;
  grad: Tensor | null = null;
  gradFn: Node | null = null;
  /** Which output of gradFn this tensor is. */
  outputNr = 0;
  /** The tensor whose storage this view shares (PyTorch's ._base). */
  _base: Tensor | null = null;
  private accNode: Node | null = null;
  private dtypeOverride: DType | null = null;

  constructor(
    public storage: Storage,
    public shape: readonly number[],
    public strides: readonly number[],
    public offset: number,
  ) {}

  // ---- metadata ----
  get dtype(): DType {
    return this.dtypeOverride ?? this.storage.dtype;
  }
  /** @internal the storage holds bytes that mean bool (index arrays built from JS booleans). */
  _setDtype(d: DType): void {
    if (d !== 'bool' || this.storage.dtype !== 'uint8') throw new DTypeError(`internal: cannot reinterpret ${this.storage.dtype} as ${d}`);
    (this.storage as { dtype: DType }).dtype = 'bool';
  }
  get device(): string {
    return this.storage.backend.name;
  }
  get ndim(): number {
    return this.shape.length;
  }
  dim(): number {
    return this.shape.length;
  }
  numel(): number {
    let n = 1;
    for (const s of this.shape) n *= s;
    return n;
  }
  /** torch.Tensor.size(): the shape, or one dim's size. */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    return dim === undefined ? this.shape.slice() : this.shape[normDim(dim, this.ndim)]!;
  }
  stride(): number[];
  stride(dim: number): number;
  stride(dim?: number): number[] | number {
    return dim === undefined ? this.strides.slice() : this.strides[normDim(dim, this.ndim)]!;
  }
  storageOffset(): number {
    return this.offset;
  }
  isContiguous(): boolean {
    return isContiguous(this.shape, this.strides);
  }
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  // ---- reading ----
  // Note [Reads]: every device reads asynchronously (dataAsync, itemAsync, tolistAsync, toStringAsync),
  // resolving once all work queued before the call has run. The synchronous forms (dataSync, item,
  // tolist, toString) need a backend with readSync (cpu, wasm); on one without (webgpu, 'cpu-async')
  // they throw SyncReadError naming the async form, and printing says how to print instead.

  /** Contiguous values as a typed array, a copy (synchronous: needs a backend with readSync; see dataAsync). */
  dataSync(): TypedArray {
    const be = this.storage.backend;
    if (!be.readSync) throw syncReadError(this, 'dataSync()', 'await t.dataAsync()');
    return readWith(this, (s) => be.readSync!(s));
  }
  /** Contiguous values as a typed array (a copy), on every device. */
  dataAsync(): Promise<TypedArray> {
    const be = this.storage.backend;
    return readWith(this, (s) => be.read(s));
  }
  /** The value of a one-element tensor as a JS number (bools as 0/1); synchronous, see itemAsync. */
  item(): number {
    checkScalar(this, 'item');
    if (!this.storage.backend.readSync) throw syncReadError(this, 'item()', 'await t.itemAsync()');
    return this.dataSync()[0]!;
  }
  /** item() on every device. */
  async itemAsync(): Promise<number> {
    checkScalar(this, 'itemAsync');
    return (await this.dataAsync())[0]!;
  }
  /** Nested JS arrays (bool tensors give booleans), like torch.Tensor.tolist(); synchronous, see tolistAsync. */
  tolist(): NestedArray {
    if (!this.storage.backend.readSync) throw syncReadError(this, 'tolist()', 'await t.tolistAsync()');
    return nest(this.dataSync(), this.shape, this.dtype === 'bool');
  }
  /** tolist() on every device. */
  async tolistAsync(): Promise<NestedArray> {
    return nest(await this.dataAsync(), this.shape, this.dtype === 'bool');
  }
  /** PyTorch's printed form. On a device without synchronous reads, a line saying how to print it. */
  toString(): string {
    return this.storage.backend.readSync ? formatValues(this, this.dataSync()) : unreadable(this);
  }
  /** toString() on every device. */
  async toStringAsync(): Promise<string> {
    return formatValues(this, await this.dataAsync());
  }
  // console.log in Node prints like torch. NOTE: the registered symbol equals util.inspect.custom without
  // importing node:util, so the core entry stays free of Node built-ins (browsers just ignore it).
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  // ---- autograd ----
  requiresGrad_(on = true): this {
    if (on && !isFloating(this.dtype))
      throw new AutogradError(`only Tensors of floating point dtype can require gradients (got ${this.dtype}); call .float() first`);
    if (!this.isLeaf && !on) throw new AutogradError('you can only change requires_grad flags of leaf variables');
    this.requiresGrad = on;
    return this;
  }
  /** Backpropagate; a non-scalar output needs an explicit `gradient` of the same shape. */
  backward(gradient?: Tensor | null, opts: BackwardOptions = {}): void {
    ops.backward(this, gradient, opts);
  }
  /** Keep `.grad` on this non-leaf tensor after backward. */
  retainGrad(): this {
    if (!this.requiresGrad) throw new AutogradError("can't retain_grad on Tensor that has requires_grad=False");
    if (this.gradFn) (this.gradFn.retained ??= new Map()).set(this.outputNr, this);
    return this;
  }
  /** @internal the AccumulateGrad node of a leaf. */
  _accumulateNode(): Node {
    return (this.accNode ??= new Node('AccumulateGrad', [], null, [], 1, this));
  }
  /** Same storage, cut from the graph. */
  detach(): Tensor {
    // NOTE: shares storage but is not an autograd view (in-place writes to it never rebase history).
    return new Tensor(this.storage, this.shape, this.strides, this.offset);
  }
  detach_(): this {
    this.gradFn = null;
    this.requiresGrad = false;
    return this;
  }
  /** PyTorch's `.data`: the same storage outside the graph; assigning replaces the storage. */
  get data(): Tensor {
    return this.detach();
  }
  set data(t: Tensor) {
    this.storage = t.storage;
    this.shape = t.shape;
    this.strides = t.strides;
    this.offset = t.offset;
  }

  // ---- conversion / copies ----
  /**
   * `.to(dtype)` or `.to(device)` (device names are those registered: 'cpu', 'wasm', ...). A device move
   * reads the values, so off a device without synchronous reads it throws: use `await t.toAsync(device)`.
   */
  to(target: DType | string): Tensor {
    if (isDType(target)) return ops.castTo(this, target);
    if (target === this.device) return this;
    const be = getBackend(target);
    if (!this.storage.backend.readSync)
      throw new SyncReadError(`to('${target}'): moving a tensor off device '${this.device}' reads its values, and that device has no synchronous read; use await t.toAsync('${target}') instead`);
    return ops.movedTo(this, target, be.fromArray(this.dataSync()));
  }
  /** `.to(dtype | device)` on every device: awaits the values when the move needs them. */
  async toAsync(target: DType | string): Promise<Tensor> {
    if (isDType(target) || target === this.device) return this.to(target);
    const be = getBackend(target);
    return ops.movedTo(this, target, be.fromArray(await this.dataAsync()));
  }
  float(): Tensor { return this.to('float32'); }
  double(): Tensor { return this.to('float64'); }
  int(): Tensor { return this.to('int32'); }
  long(): Tensor { return this.to('int32'); }
  bool(): Tensor { return this.to('bool'); }
  byte(): Tensor { return this.to('uint8'); }
  clone(): Tensor { return ops.clone(this); }
  contiguous(): Tensor { return ops.contiguous(this); }

  // ---- in-place fill/copy ----
  zero_(): this { return this.fill_(0); }
  fill_(v: number | boolean): this { return ops.fill_(this, v) as this; }
  copy_(src: Tensor): this { ops.inplace(this, (x) => ops.copyInto(x, src), 'copy_'); return this; }
  uniform_(from = 0, to = 1, generator?: Generator): this { fillRandom_(this, (a) => uniformFill(a, from, to, generator)); return this; }
  normal_(mean = 0, std = 1, generator?: Generator): this { fillRandom_(this, (a) => normalFill(a, mean, std, generator)); return this; }
  bernoulli_(p = 0.5, generator?: Generator): this { fillRandom_(this, (a) => bernoulliFill(a, p, generator)); return this; }

  // ---- elementwise ----
  add(o: TL, opts?: { alpha?: number }): Tensor { return ops.addSub('add', this, o, opts?.alpha); }
  sub(o: TL, opts?: { alpha?: number }): Tensor { return ops.addSub('sub', this, o, opts?.alpha); }
  /** `other - this` (torch.rsub). */
  rsub(o: TL, opts?: { alpha?: number }): Tensor { return ops.rsub(this, o, opts?.alpha); }
  mul(o: TL): Tensor { return ops.binary('mul', this, o); }
  div(o: TL, opts?: { roundingMode?: 'floor' | 'trunc' | null }): Tensor {
    return opts?.roundingMode ? ops.divRounding(this, o, opts.roundingMode) : ops.binary('div', this, o);
  }
  floorDivide(o: TL): Tensor { return ops.binary('floorDivide', this, o); }
  remainder(o: TL): Tensor { return ops.binary('remainder', this, o); }
  pow(o: TL): Tensor { return ops.binary('pow', this, o); }
  atan2(o: Tensor): Tensor { return ops.binary('atan2', this, o); }
  maximum(o: Tensor): Tensor { return ops.binary('maximum', this, o); }
  minimum(o: Tensor): Tensor { return ops.binary('minimum', this, o); }
  eq(o: TL): Tensor { return ops.binary('eq', this, o); }
  ne(o: TL): Tensor { return ops.binary('ne', this, o); }
  lt(o: TL): Tensor { return ops.binary('lt', this, o); }
  le(o: TL): Tensor { return ops.binary('le', this, o); }
  gt(o: TL): Tensor { return ops.binary('gt', this, o); }
  ge(o: TL): Tensor { return ops.binary('ge', this, o); }
  logicalAnd(o: TL): Tensor { return ops.binary('logicalAnd', this, o); }
  logicalOr(o: TL): Tensor { return ops.binary('logicalOr', this, o); }
  logicalXor(o: TL): Tensor { return ops.binary('logicalXor', this, o); }
  logicalNot(): Tensor { return ops.unary('logicalNot', this); }
  bitwiseAnd(o: TL): Tensor { return ops.binary('bitwiseAnd', this, o); }
  bitwiseOr(o: TL): Tensor { return ops.binary('bitwiseOr', this, o); }
  bitwiseXor(o: TL): Tensor { return ops.binary('bitwiseXor', this, o); }
  neg(): Tensor { return ops.unary('neg', this); }
  abs(): Tensor { return ops.unary('abs', this); }
  exp(): Tensor { return ops.unary('exp', this); }
  log(): Tensor { return ops.unary('log', this); }
  sqrt(): Tensor { return ops.unary('sqrt', this); }
  rsqrt(): Tensor { return ops.unary('rsqrt', this); }
  sigmoid(): Tensor { return ops.unary('sigmoid', this); }
  tanh(): Tensor { return ops.unary('tanh', this); }
  relu(): Tensor { return ops.unary('relu', this); }
  sin(): Tensor { return ops.unary('sin', this); }
  cos(): Tensor { return ops.unary('cos', this); }
  tan(): Tensor { return ops.unary('tan', this); }
  asin(): Tensor { return ops.unary('asin', this); }
  acos(): Tensor { return ops.unary('acos', this); }
  atan(): Tensor { return ops.unary('atan', this); }
  sinh(): Tensor { return ops.unary('sinh', this); }
  cosh(): Tensor { return ops.unary('cosh', this); }
  floor(): Tensor { return ops.unary('floor', this); }
  ceil(): Tensor { return ops.unary('ceil', this); }
  round(): Tensor { return ops.unary('round', this); }
  trunc(): Tensor { return ops.unary('trunc', this); }
  frac(): Tensor { return ops.unary('frac', this); }
  sign(): Tensor { return ops.unary('sign', this); }
  reciprocal(): Tensor { return ops.unary('reciprocal', this); }
  expm1(): Tensor { return ops.unary('expm1', this); }
  log1p(): Tensor { return ops.unary('log1p', this); }
  log2(): Tensor { return ops.unary('log2', this); }
  exp2(): Tensor { return ops.unary('exp2', this); }
  erf(): Tensor { return ops.unary('erf', this); }
  square(): Tensor { return ops.unary('square', this); }
  isnan(): Tensor { return ops.unary('isnan', this); }
  isinf(): Tensor { return ops.isinf(this); }
  isfinite(): Tensor { return this.isnan().logicalOr(this.isinf()).logicalNot(); }
  clamp(min: number | null = null, max: number | null = null): Tensor { return ops.clamp(this, min, max); }
  clip(min: number | null = null, max: number | null = null): Tensor { return ops.clamp(this, min, max); }
  clampMin(min: number): Tensor { return ops.clamp(this, min, null, 'ClampMinBackward0'); }
  clampMax(max: number): Tensor { return ops.clamp(this, null, max, 'ClampMaxBackward0'); }
  /** `x.where(cond, y)`: this where cond is true, else y. */
  where(cond: Tensor, other: TL): Tensor { return ops.where(cond, this, other); }
  maskedFill(mask: Tensor, value: number | Tensor): Tensor { return ops.maskedFill(this, mask, value); }

  // in place (trailing underscore, as torch)
  add_(o: TL, opts?: { alpha?: number }): this { return (ops.binaryInplace('add', this, o, opts?.alpha) ?? ops.inplace(this, (x) => x.add(o, opts), 'add_')) as this; }
  sub_(o: TL, opts?: { alpha?: number }): this { return (ops.binaryInplace('sub', this, o, opts?.alpha) ?? ops.inplace(this, (x) => x.sub(o, opts), 'sub_')) as this; }
  mul_(o: TL): this { return (ops.binaryInplace('mul', this, o) ?? ops.inplace(this, (x) => x.mul(o), 'mul_')) as this; }
  div_(o: TL): this { return (ops.binaryInplace('div', this, o) ?? ops.inplace(this, (x) => x.div(o), 'div_')) as this; }
  pow_(o: TL): this { return ops.inplace(this, (x) => x.pow(o), 'pow_') as this; }
  neg_(): this { return ops.inplace(this, (x) => x.neg(), 'neg_') as this; }
  abs_(): this { return ops.inplace(this, (x) => x.abs(), 'abs_') as this; }
  exp_(): this { return ops.inplace(this, (x) => x.exp(), 'exp_') as this; }
  log_(): this { return ops.inplace(this, (x) => x.log(), 'log_') as this; }
  sqrt_(): this { return ops.inplace(this, (x) => x.sqrt(), 'sqrt_') as this; }
  sigmoid_(): this { return ops.inplace(this, (x) => x.sigmoid(), 'sigmoid_') as this; }
  tanh_(): this { return ops.inplace(this, (x) => x.tanh(), 'tanh_') as this; }
  relu_(): this { return ops.inplace(this, (x) => x.relu(), 'relu_') as this; }
  clamp_(min: number | null = null, max: number | null = null): this { return ops.inplace(this, (x) => x.clamp(min, max), 'clamp_') as this; }
  maskedFill_(mask: Tensor, value: number | Tensor): this { return ops.inplace(this, (x) => x.maskedFill(mask, value), 'masked_fill_') as this; }
  /** `addcmul_`: this += value * t1 * t2 (optimizers). */
  addcmul_(t1: Tensor, t2: Tensor, value = 1): this { return ops.inplace(this, (x) => x.add(t1.mul(t2).mul(value)), 'addcmul_') as this; }
  /** `addcdiv_`: this += value * t1 / t2 (optimizers). */
  addcdiv_(t1: Tensor, t2: Tensor, value = 1): this { return ops.inplace(this, (x) => x.add(t1.div(t2).mul(value)), 'addcdiv_') as this; }
  /** `lerp_`: this += weight * (end - this). */
  lerp_(end: Tensor, weight: number): this { return ops.inplace(this, (x) => x.add(end.sub(x).mul(weight)), 'lerp_') as this; }

  // ---- reductions ----
  sum(dim?: Dims, keepdim = false, opts?: SumOpts): Tensor { return ops.sum(this, dim, keepdim, opts); }
  mean(dim?: Dims, keepdim = false): Tensor { return ops.mean(this, dim, keepdim); }
  prod(dim?: number | null, keepdim = false): Tensor { return ops.prod(this, dim, keepdim); }
  /** max() → value; max(dim) → [values, indices] (also `.values`/`.indices`). */
  max(): Tensor;
  max(dim: number, keepdim?: boolean): ValuesIndices;
  max(dim?: number, keepdim = false): Tensor | ValuesIndices {
    return dim === undefined ? ops.amaxmin(this, 'max', null, false, 'MaxBackward1') : ops.maxminDim(this, 'max', dim, keepdim);
  }
  min(): Tensor;
  min(dim: number, keepdim?: boolean): ValuesIndices;
  min(dim?: number, keepdim = false): Tensor | ValuesIndices {
    return dim === undefined ? ops.amaxmin(this, 'min', null, false, 'MinBackward1') : ops.maxminDim(this, 'min', dim, keepdim);
  }
  amax(dim?: Dims, keepdim = false): Tensor { return ops.amaxmin(this, 'max', dim, keepdim); }
  amin(dim?: Dims, keepdim = false): Tensor { return ops.amaxmin(this, 'min', dim, keepdim); }
  argmax(dim?: number | null, keepdim = false): Tensor { return ops.argReduce(this, 'argmax', dim, keepdim); }
  argmin(dim?: number | null, keepdim = false): Tensor { return ops.argReduce(this, 'argmin', dim, keepdim); }
  var(dim?: Dims, opts: VarOpts = {}): Tensor { return ops.variance(this, dim, opts, false); }
  std(dim?: Dims, opts: VarOpts = {}): Tensor { return ops.variance(this, dim, opts, true); }
  cumsum(dim: number, opts?: SumOpts): Tensor { return ops.cumsum(this, dim, opts); }
  logsumexp(dim: Dims, keepdim = false): Tensor { return ops.logsumexp(this, dim, keepdim); }
  softmax(dim: number): Tensor { return ops.softmax(this, dim); }
  logSoftmax(dim: number): Tensor { return ops.logSoftmax(this, dim); }
  all(dim?: Dims, keepdim = false): Tensor { return ops.allAny(this, 'all', dim, keepdim); }
  any(dim?: Dims, keepdim = false): Tensor { return ops.allAny(this, 'any', dim, keepdim); }
  /** p-norm over dims (default 2, whole tensor). */
  norm(p = 2, dim?: Dims, keepdim = false): Tensor { return ops.norm(this, p, dim, keepdim); }

  // ---- shape / views ----
  view(...shape: (number | Shape)[]): Tensor { return ops.view(this, shapeArgs(shape)); }
  reshape(...shape: (number | Shape)[]): Tensor { return ops.reshape(this, shapeArgs(shape)); }
  viewAs(o: Tensor): Tensor { return ops.view(this, o.shape); }
  reshapeAs(o: Tensor): Tensor { return ops.reshape(this, o.shape); }
  permute(...dims: (number | Shape)[]): Tensor { return ops.permute(this, shapeArgs(dims)); }
  transpose(d0: number, d1: number): Tensor { return ops.transpose(this, d0, d1); }
  /** 2-D transpose (torch.t); 0-D and 1-D returned as is. */
  t(): Tensor {
    if (this.ndim > 2) throw new ShapeError(`t() expects a tensor with <= 2 dimensions, but self is ${this.ndim}D (shape ${fmtShape(this.shape)})`);
    return this.ndim < 2 ? ops.transpose(this, 0, 0, 'TBackward0') : ops.transpose(this, 0, 1, 'TBackward0');
  }
  /** `.T`: all dims reversed (PermuteBackward0, as torch). */
  get T(): Tensor { return ops.permute(this, this.shape.map((_, i) => this.ndim - 1 - i)); }
  unsqueeze(dim: number): Tensor { return ops.unsqueeze(this, dim); }
  squeeze(dim?: number | readonly number[] | null): Tensor { return ops.squeeze(this, dim); }
  expand(...shape: (number | Shape)[]): Tensor { return ops.expand(this, shapeArgs(shape)); }
  expandAs(o: Tensor): Tensor { return ops.expand(this, o.shape); }
  broadcastTo(shape: Shape): Tensor { return ops.expand(this, shape); }
  flatten(startDim = 0, endDim = -1): Tensor { return ops.flatten(this, startDim, endDim); }
  unflatten(dim: number, sizes: Shape): Tensor { return ops.unflatten(this, dim, sizes); }
  narrow(dim: number, start: number, length: number): Tensor { return ops.narrow(this, dim, start, length); }
  select(dim: number, index: number): Tensor { return ops.select(this, dim, index); }
  /** Python slice `start:end:step` along dim, as a view. */
  slice(dim: number, start: number | null = null, end: number | null = null, step = 1): Tensor { return ops.slice(this, dim, start, end, step); }
  flip(dims: number | Shape): Tensor { return ops.flip(this, dims); }
  repeat(...sizes: (number | Shape)[]): Tensor { return ops.repeat(this, shapeArgs(sizes)); }
  split(sizeOrSections: number | Shape, dim = 0): Tensor[] { return ops.split(this, sizeOrSections, dim); }
  chunk(chunks: number, dim = 0): Tensor[] { return ops.chunk(this, chunks, dim); }
  unbind(dim = 0): Tensor[] { return ops.unbind(this, dim); }

  // ---- indexing ----
  /** `t[...]`: see Note [Index syntax] in ops/indexing.ts. `t.get(1, '1:3')`, `x.get(':, None')`, `sm.get(idx, targ)`. */
  get(...items: IndexItem[]): Tensor { return ops.getItem(this, items); }
  /** `t[...] = value`, in place; returns this. `t.set([0, ':'], 1)` or `t.set('0, :', 1)`. */
  set(items: IndexItem | readonly IndexItem[], value: TL): this {
    // an array of items, unless it is a boolean[] mask (a lone item)
    const list = Array.isArray(items) && !(items.length > 0 && typeof items[0] === 'boolean') ? (items as IndexItem[]) : [items as IndexItem];
    return ops.setItem(this, list, value) as this;
  }
  gather(dim: number, index: Tensor): Tensor { return ops.gather(this, dim, index); }
  scatter(dim: number, index: Tensor, src: TL): Tensor { return ops.scatter(this, dim, index, src); }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor { return ops.scatterAdd(this, dim, index, src); }
  scatterAdd_(dim: number, index: Tensor, src: Tensor): this { return ops.inplace(this, (x) => x.scatterAdd(dim, index, src), 'scatter_add_') as this; }
  indexSelect(dim: number, index: Tensor): Tensor { return ops.indexSelect(this, dim, index); }
  nonzero(): Tensor { return ops.nonzero(this); }
  sort(dim = -1, opts: SortOpts = {}): ValuesIndices { return ops.sort(this, dim, opts); }
  argsort(dim = -1, opts: SortOpts = {}): Tensor { return ops.argsort(this, dim, opts); }
  topk(k: number, opts: TopkOpts = {}): ValuesIndices { return ops.topk(this, k, opts); }

  // ---- linear algebra ----
  matmul(o: Tensor): Tensor { return ops.matmul(this, o); }
  mm(o: Tensor): Tensor { return ops.mm(this, o); }
  bmm(o: Tensor): Tensor { return ops.bmm(this, o); }
  dot(o: Tensor): Tensor { return ops.dot(this, o); }
  mv(o: Tensor): Tensor { return ops.mv(this, o); }

  // ---- creation helpers ----
  zerosLike(dtype: DType = this.dtype): Tensor { return ops.emptyTensor(this.shape, dtype, this.storage.backend).fill_(0); }
  onesLike(dtype: DType = this.dtype): Tensor { return ops.emptyTensor(this.shape, dtype, this.storage.backend).fill_(1); }
  fullLike(v: number, dtype: DType = this.dtype): Tensor { return ops.emptyTensor(this.shape, dtype, this.storage.backend).fill_(v); }
  newTensor(shape: Shape, dtype: DType = this.dtype): Tensor { return ops.emptyTensor(shape, dtype, this.storage.backend); }
}
