// The Tensor: (storage on a device, dtype, shape, strides, offset) plus autograd state. Methods are
// thin, documented delegations to the op families in ops/, named after PyTorch's in camelCase.
import type { Storage, View } from '../backend/backend.js';
import { getBackend } from '../backend/backend.js';
import { Node, record1 } from '../autograd/node.js';
import { runBackward, type BackwardOptions } from '../autograd/engine.js';
import { isGradEnabled, noGrad } from '../autograd/grad_mode.js';
import { AutogradError, DTypeError, ShapeError, SyncReadError, fmtShape } from '../errors.js';
import { type DType, type TypedArray, isFloating } from './dtype.js';
import { formatTensor } from './print.js';
import { contiguousStrides, isContiguous, normDim } from './shape.js';
import * as ew from '../ops/elementwise.js';
import * as red from '../ops/reduce.js';
import * as mv from '../ops/movement.js';
import * as la from '../ops/linalg.js';
import * as ix from '../ops/indexing.js';
import * as core from '../ops/core.js';
import * as so from '../ops/sort.js';
import { type Generator, bernoulliFill, normalFill, uniformFill } from './random.js';

type TL = Tensor | number | boolean;
const DTYPES: readonly string[] = ['float32', 'float64', 'int32', 'uint8', 'bool'];
const isDType = (s: string): s is DType => DTYPES.includes(s);
type Shape = readonly number[];
type Dims = number | readonly number[] | null | undefined;
const shapeArgs = (args: readonly (number | Shape)[]): number[] =>
  args.length === 1 && Array.isArray(args[0]) ? [...(args[0] as Shape)] : (args as number[]);

export type NestedArray = number | boolean | readonly NestedArray[];

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
    if (!be.readSync) throw this.syncReadError('dataSync()', 'await t.dataAsync()');
    return this.readWith((s) => be.readSync!(s));
  }
  /** Contiguous values as a typed array (a copy), on every device. */
  dataAsync(): Promise<TypedArray> {
    const be = this.storage.backend;
    return this.readWith((s) => be.read(s));
  }
  /** The value of a one-element tensor as a JS number (bools as 0/1); synchronous, see itemAsync. */
  item(): number {
    this.checkScalar('item');
    if (!this.storage.backend.readSync) throw this.syncReadError('item()', 'await t.itemAsync()');
    return this.dataSync()[0]!;
  }
  /** item() on every device. */
  async itemAsync(): Promise<number> {
    this.checkScalar('itemAsync');
    return (await this.dataAsync())[0]!;
  }
  /** Nested JS arrays (bool tensors give booleans), like torch.Tensor.tolist(); synchronous, see tolistAsync. */
  tolist(): NestedArray {
    if (!this.storage.backend.readSync) throw this.syncReadError('tolist()', 'await t.tolistAsync()');
    return nest(this.dataSync(), this.shape, this.dtype === 'bool');
  }
  /** tolist() on every device. */
  async tolistAsync(): Promise<NestedArray> {
    return nest(await this.dataAsync(), this.shape, this.dtype === 'bool');
  }
  /** PyTorch's printed form. On a device without synchronous reads, a line saying how to print it. */
  toString(): string {
    if (!this.storage.backend.readSync)
      return `tensor(<${this.numel()} values of shape ${fmtShape(this.shape)}, dtype=${this.dtype}, device='${this.device}'>): ` +
        `this device reads asynchronously; print it with console.log(await t.toStringAsync())`;
    return this.format(this.dataSync());
  }
  /** toString() on every device. */
  async toStringAsync(): Promise<string> {
    return this.format(await this.dataAsync());
  }
  private format(values: TypedArray): string {
    return formatTensor({
      shape: this.shape,
      dtype: this.dtype,
      values,
      requiresGrad: this.requiresGrad && this.isLeaf,
      gradFn: this.gradFn?.name ?? null,
      // host-CPU backends (cpu, wasm) print like torch's cpu tensors: no device=
      device: this.storage.backend.isCpu ? undefined : this.device,
    });
  }
  // console.log in Node prints like torch. NOTE: the registered symbol equals util.inspect.custom without
  // importing node:util, so the core entry stays free of Node built-ins (browsers just ignore it).
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
  /** Read the whole storage, or a contiguous copy of this view (freed at once: a pending read keeps it). */
  private readWith<R>(read: (s: Storage) => R): R {
    if (this.isContiguous() && this.offset === 0 && this.numel() === this.storage.size) return read(this.storage);
    const c = core.copyRaw(this);
    try {
      return read(c.storage);
    } finally {
      c.storage.backend.free(c.storage);
    }
  }
  private checkScalar(method: string): void {
    if (this.numel() !== 1)
      throw new ShapeError(`${method}: a Tensor with ${this.numel()} elements cannot be converted to a scalar (shape ${fmtShape(this.shape)})`);
  }
  private syncReadError(call: string, alternative: string): SyncReadError {
    return new SyncReadError(
      `${call}: device '${this.device}' has no synchronous read (its work runs asynchronously); use ${alternative} instead`,
    );
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
    if (!this.requiresGrad) throw new AutogradError('element 0 of tensors does not require grad and does not have a grad_fn');
    let g = gradient ?? null;
    if (!g) {
      if (this.numel() !== 1) throw new AutogradError(`grad can be implicitly created only for scalar outputs (this output has shape ${fmtShape(this.shape)}); pass a gradient`);
      g = noGrad(() => this.onesLike());
    }
    runBackward([this], [g], opts);
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
    if (isDType(target)) return core.castTo(this, target);
    if (target === this.device) return this;
    const be = getBackend(target);
    if (!this.storage.backend.readSync)
      throw new SyncReadError(`to('${target}'): moving a tensor off device '${this.device}' reads its values, and that device has no synchronous read; use await t.toAsync('${target}') instead`);
    return this.moved(target, be.fromArray(this.dataSync()));
  }
  /** `.to(dtype | device)` on every device: awaits the values when the move needs them. */
  async toAsync(target: DType | string): Promise<Tensor> {
    if (isDType(target) || target === this.device) return this.to(target);
    const be = getBackend(target);
    return this.moved(target, be.fromArray(await this.dataAsync()));
  }
  /** The moved copy, differentiable (torch: ToCopyBackward0): the gradient moves back. */
  private moved(target: string, storage: Storage): Tensor {
    const out = new Tensor(storage, this.shape.slice(), contiguousStrides(this.shape), 0);
    if (this.dtype === 'bool') out._setDtype('bool');
    const from = this.device;
    return record1('ToCopyBackward0', [this], out, (g) => {
      // NOTE: backward is synchronous, so a gradient on a device without readSync cannot move back
      if (!g.storage.backend.readSync)
        throw new SyncReadError(`backward of to('${target}'): the gradient on '${target}' would be moved back to '${from}' with a synchronous read, which '${target}' lacks; keep the graph on one device (move the inputs, not intermediates)`);
      return [g.to(from)];
    });
  }
  float(): Tensor { return this.to('float32'); }
  double(): Tensor { return this.to('float64'); }
  int(): Tensor { return this.to('int32'); }
  long(): Tensor { return this.to('int32'); }
  bool(): Tensor { return this.to('bool'); }
  byte(): Tensor { return this.to('uint8'); }
  clone(): Tensor { return mv.clone(this); }
  contiguous(): Tensor { return mv.contiguousOp(this); }

  // ---- in-place fill/copy ----
  zero_(): this { return this.fill_(0); }
  fill_(v: number | boolean): this {
    if (isGradEnabled() && this.requiresGrad && this.isLeaf)
      throw new AutogradError('fill_: a leaf tensor that requires grad is being used in an in-place operation; wrap it in noGrad()');
    // a non-leaf (or a view of one) gets a zero-gradient node so its old history stops receiving gradient
    if (isGradEnabled() && (this.requiresGrad || this._base?.requiresGrad))
      return ew.inplace(this, (x) => ew.filled(x, core.toNumber(v), v === 0 ? 'ZeroBackward0' : 'FillBackward2'), 'fill_') as this;
    this.storage.backend.fill(this, core.toNumber(v));
    this.storage.version++;
    return this;
  }
  copy_(src: Tensor): this { ew.inplace(this, (x) => ew.copyInto(x, src), 'copy_'); return this; }
  uniform_(from = 0, to = 1, generator?: Generator): this { return this.fillRandom((a) => uniformFill(a, from, to, generator)); }
  normal_(mean = 0, std = 1, generator?: Generator): this { return this.fillRandom((a) => normalFill(a, mean, std, generator)); }
  bernoulli_(p = 0.5, generator?: Generator): this { return this.fillRandom((a) => bernoulliFill(a, p, generator)); }
  private fillRandom(fill: (a: Float32Array | Float64Array) => void): this {
    const a = this.dtype === 'float64' ? new Float64Array(this.numel()) : new Float32Array(this.numel());
    fill(a);
    const src = new Tensor(this.storage.backend.fromArray(a), this.shape.slice(), contiguousStrides(this.shape), 0);
    return noGrad(() => { this.storage.backend.copy(src, this); this.storage.version++; return this; });
  }

  // ---- elementwise ----
  add(o: TL, opts?: { alpha?: number }): Tensor { return ew.addSub('add', this, o, opts?.alpha); }
  sub(o: TL, opts?: { alpha?: number }): Tensor { return ew.addSub('sub', this, o, opts?.alpha); }
  /** `other - this` (torch.rsub). */
  rsub(o: TL, opts?: { alpha?: number }): Tensor { return ew.rsub(this, o, opts?.alpha); }
  mul(o: TL): Tensor { return ew.binary('mul', this, o); }
  div(o: TL, opts?: { roundingMode?: 'floor' | 'trunc' | null }): Tensor {
    return opts?.roundingMode ? ew.divRounding(this, o, opts.roundingMode) : ew.binary('div', this, o);
  }
  floorDivide(o: TL): Tensor { return ew.binary('floorDivide', this, o); }
  remainder(o: TL): Tensor { return ew.binary('remainder', this, o); }
  pow(o: TL): Tensor { return ew.binary('pow', this, o); }
  atan2(o: Tensor): Tensor { return ew.binary('atan2', this, o); }
  maximum(o: Tensor): Tensor { return ew.binary('maximum', this, o); }
  minimum(o: Tensor): Tensor { return ew.binary('minimum', this, o); }
  eq(o: TL): Tensor { return ew.binary('eq', this, o); }
  ne(o: TL): Tensor { return ew.binary('ne', this, o); }
  lt(o: TL): Tensor { return ew.binary('lt', this, o); }
  le(o: TL): Tensor { return ew.binary('le', this, o); }
  gt(o: TL): Tensor { return ew.binary('gt', this, o); }
  ge(o: TL): Tensor { return ew.binary('ge', this, o); }
  logicalAnd(o: TL): Tensor { return ew.binary('logicalAnd', this, o); }
  logicalOr(o: TL): Tensor { return ew.binary('logicalOr', this, o); }
  logicalXor(o: TL): Tensor { return ew.binary('logicalXor', this, o); }
  logicalNot(): Tensor { return ew.unary('logicalNot', this); }
  bitwiseAnd(o: TL): Tensor { return ew.binary('bitwiseAnd', this, o); }
  bitwiseOr(o: TL): Tensor { return ew.binary('bitwiseOr', this, o); }
  bitwiseXor(o: TL): Tensor { return ew.binary('bitwiseXor', this, o); }
  neg(): Tensor { return ew.unary('neg', this); }
  abs(): Tensor { return ew.unary('abs', this); }
  exp(): Tensor { return ew.unary('exp', this); }
  log(): Tensor { return ew.unary('log', this); }
  sqrt(): Tensor { return ew.unary('sqrt', this); }
  rsqrt(): Tensor { return ew.unary('rsqrt', this); }
  sigmoid(): Tensor { return ew.unary('sigmoid', this); }
  tanh(): Tensor { return ew.unary('tanh', this); }
  relu(): Tensor { return ew.unary('relu', this); }
  sin(): Tensor { return ew.unary('sin', this); }
  cos(): Tensor { return ew.unary('cos', this); }
  tan(): Tensor { return ew.unary('tan', this); }
  asin(): Tensor { return ew.unary('asin', this); }
  acos(): Tensor { return ew.unary('acos', this); }
  atan(): Tensor { return ew.unary('atan', this); }
  sinh(): Tensor { return ew.unary('sinh', this); }
  cosh(): Tensor { return ew.unary('cosh', this); }
  floor(): Tensor { return ew.unary('floor', this); }
  ceil(): Tensor { return ew.unary('ceil', this); }
  round(): Tensor { return ew.unary('round', this); }
  trunc(): Tensor { return ew.unary('trunc', this); }
  frac(): Tensor { return ew.unary('frac', this); }
  sign(): Tensor { return ew.unary('sign', this); }
  reciprocal(): Tensor { return ew.unary('reciprocal', this); }
  expm1(): Tensor { return ew.unary('expm1', this); }
  log1p(): Tensor { return ew.unary('log1p', this); }
  log2(): Tensor { return ew.unary('log2', this); }
  exp2(): Tensor { return ew.unary('exp2', this); }
  erf(): Tensor { return ew.unary('erf', this); }
  square(): Tensor { return ew.unary('square', this); }
  isnan(): Tensor { return ew.unary('isnan', this); }
  isinf(): Tensor { return ew.isinf(this); }
  isfinite(): Tensor { return this.isnan().logicalOr(this.isinf()).logicalNot(); }
  clamp(min: number | null = null, max: number | null = null): Tensor { return ew.clamp(this, min, max); }
  clip(min: number | null = null, max: number | null = null): Tensor { return ew.clamp(this, min, max); }
  clampMin(min: number): Tensor { return ew.clamp(this, min, null, 'ClampMinBackward0'); }
  clampMax(max: number): Tensor { return ew.clamp(this, null, max, 'ClampMaxBackward0'); }
  /** `x.where(cond, y)`: this where cond is true, else y. */
  where(cond: Tensor, other: TL): Tensor { return ew.where(cond, this, other); }
  maskedFill(mask: Tensor, value: number | Tensor): Tensor { return ix.maskedFill(this, mask, value); }

  // in place (trailing underscore, as torch)
  add_(o: TL, opts?: { alpha?: number }): this { return (ew.binaryInplace('add', this, o, opts?.alpha) ?? ew.inplace(this, (x) => x.add(o, opts), 'add_')) as this; }
  sub_(o: TL, opts?: { alpha?: number }): this { return (ew.binaryInplace('sub', this, o, opts?.alpha) ?? ew.inplace(this, (x) => x.sub(o, opts), 'sub_')) as this; }
  mul_(o: TL): this { return (ew.binaryInplace('mul', this, o) ?? ew.inplace(this, (x) => x.mul(o), 'mul_')) as this; }
  div_(o: TL): this { return (ew.binaryInplace('div', this, o) ?? ew.inplace(this, (x) => x.div(o), 'div_')) as this; }
  pow_(o: TL): this { return ew.inplace(this, (x) => x.pow(o), 'pow_') as this; }
  neg_(): this { return ew.inplace(this, (x) => x.neg(), 'neg_') as this; }
  abs_(): this { return ew.inplace(this, (x) => x.abs(), 'abs_') as this; }
  exp_(): this { return ew.inplace(this, (x) => x.exp(), 'exp_') as this; }
  log_(): this { return ew.inplace(this, (x) => x.log(), 'log_') as this; }
  sqrt_(): this { return ew.inplace(this, (x) => x.sqrt(), 'sqrt_') as this; }
  sigmoid_(): this { return ew.inplace(this, (x) => x.sigmoid(), 'sigmoid_') as this; }
  tanh_(): this { return ew.inplace(this, (x) => x.tanh(), 'tanh_') as this; }
  relu_(): this { return ew.inplace(this, (x) => x.relu(), 'relu_') as this; }
  clamp_(min: number | null = null, max: number | null = null): this { return ew.inplace(this, (x) => x.clamp(min, max), 'clamp_') as this; }
  maskedFill_(mask: Tensor, value: number | Tensor): this { return ew.inplace(this, (x) => x.maskedFill(mask, value), 'masked_fill_') as this; }
  /** `addcmul_`: this += value * t1 * t2 (optimizers). */
  addcmul_(t1: Tensor, t2: Tensor, value = 1): this { return ew.inplace(this, (x) => x.add(t1.mul(t2).mul(value)), 'addcmul_') as this; }
  /** `addcdiv_`: this += value * t1 / t2 (optimizers). */
  addcdiv_(t1: Tensor, t2: Tensor, value = 1): this { return ew.inplace(this, (x) => x.add(t1.div(t2).mul(value)), 'addcdiv_') as this; }
  /** `lerp_`: this += weight * (end - this). */
  lerp_(end: Tensor, weight: number): this { return ew.inplace(this, (x) => x.add(end.sub(x).mul(weight)), 'lerp_') as this; }

  // ---- reductions ----
  sum(dim?: Dims, keepdim = false, opts?: red.SumOpts): Tensor { return red.sum(this, dim, keepdim, opts); }
  mean(dim?: Dims, keepdim = false): Tensor { return red.mean(this, dim, keepdim); }
  prod(dim?: number | null, keepdim = false): Tensor { return red.prod(this, dim, keepdim); }
  /** max() → value; max(dim) → [values, indices] (also `.values`/`.indices`). */
  max(): Tensor;
  max(dim: number, keepdim?: boolean): red.ValuesIndices;
  max(dim?: number, keepdim = false): Tensor | red.ValuesIndices {
    return dim === undefined ? red.amaxmin(this, 'max', null, false, 'MaxBackward1') : red.maxminDim(this, 'max', dim, keepdim);
  }
  min(): Tensor;
  min(dim: number, keepdim?: boolean): red.ValuesIndices;
  min(dim?: number, keepdim = false): Tensor | red.ValuesIndices {
    return dim === undefined ? red.amaxmin(this, 'min', null, false, 'MinBackward1') : red.maxminDim(this, 'min', dim, keepdim);
  }
  amax(dim?: Dims, keepdim = false): Tensor { return red.amaxmin(this, 'max', dim, keepdim); }
  amin(dim?: Dims, keepdim = false): Tensor { return red.amaxmin(this, 'min', dim, keepdim); }
  argmax(dim?: number | null, keepdim = false): Tensor { return red.argReduce(this, 'argmax', dim, keepdim); }
  argmin(dim?: number | null, keepdim = false): Tensor { return red.argReduce(this, 'argmin', dim, keepdim); }
  var(dim?: Dims, opts: red.VarOpts = {}): Tensor { return red.variance(this, dim, opts, false); }
  std(dim?: Dims, opts: red.VarOpts = {}): Tensor { return red.variance(this, dim, opts, true); }
  cumsum(dim: number, opts?: red.SumOpts): Tensor { return red.cumsum(this, dim, opts); }
  logsumexp(dim: Dims, keepdim = false): Tensor { return red.logsumexp(this, dim, keepdim); }
  softmax(dim: number): Tensor { return red.softmax(this, dim); }
  logSoftmax(dim: number): Tensor { return red.logSoftmax(this, dim); }
  all(dim?: Dims, keepdim = false): Tensor { return red.allAny(this, 'all', dim, keepdim); }
  any(dim?: Dims, keepdim = false): Tensor { return red.allAny(this, 'any', dim, keepdim); }
  /** p-norm over dims (default 2, whole tensor). */
  norm(p = 2, dim?: Dims, keepdim = false): Tensor {
    return red.norm(this, p, dim, keepdim);
  }

  // ---- shape / views ----
  view(...shape: (number | Shape)[]): Tensor { return mv.view(this, shapeArgs(shape)); }
  reshape(...shape: (number | Shape)[]): Tensor { return mv.reshape(this, shapeArgs(shape)); }
  viewAs(o: Tensor): Tensor { return mv.view(this, o.shape); }
  reshapeAs(o: Tensor): Tensor { return mv.reshape(this, o.shape); }
  permute(...dims: (number | Shape)[]): Tensor { return mv.permute(this, shapeArgs(dims)); }
  transpose(d0: number, d1: number): Tensor { return mv.transpose(this, d0, d1); }
  /** 2-D transpose (torch.t); 0-D and 1-D returned as is. */
  t(): Tensor {
    if (this.ndim > 2) throw new ShapeError(`t() expects a tensor with <= 2 dimensions, but self is ${this.ndim}D (shape ${fmtShape(this.shape)})`);
    return this.ndim < 2 ? mv.transpose(this, 0, 0, 'TBackward0') : mv.transpose(this, 0, 1, 'TBackward0');
  }
  /** `.T`: all dims reversed (PermuteBackward0, as torch). */
  get T(): Tensor { return mv.permute(this, this.shape.map((_, i) => this.ndim - 1 - i)); }
  unsqueeze(dim: number): Tensor { return mv.unsqueeze(this, dim); }
  squeeze(dim?: number | readonly number[] | null): Tensor { return mv.squeeze(this, dim); }
  expand(...shape: (number | Shape)[]): Tensor { return mv.expand(this, shapeArgs(shape)); }
  expandAs(o: Tensor): Tensor { return mv.expand(this, o.shape); }
  broadcastTo(shape: Shape): Tensor { return mv.expand(this, shape); }
  flatten(startDim = 0, endDim = -1): Tensor { return mv.flatten(this, startDim, endDim); }
  unflatten(dim: number, sizes: Shape): Tensor { return mv.unflatten(this, dim, sizes); }
  narrow(dim: number, start: number, length: number): Tensor { return mv.narrow(this, dim, start, length); }
  select(dim: number, index: number): Tensor { return mv.select(this, dim, index); }
  /** Python slice `start:end:step` along dim, as a view. */
  slice(dim: number, start: number | null = null, end: number | null = null, step = 1): Tensor { return mv.slice(this, dim, start, end, step); }
  flip(dims: number | Shape): Tensor { return mv.flip(this, dims); }
  repeat(...sizes: (number | Shape)[]): Tensor { return mv.repeat(this, shapeArgs(sizes)); }
  split(sizeOrSections: number | Shape, dim = 0): Tensor[] { return mv.split(this, sizeOrSections, dim); }
  chunk(chunks: number, dim = 0): Tensor[] { return mv.chunk(this, chunks, dim); }
  unbind(dim = 0): Tensor[] { return mv.unbind(this, dim); }

  // ---- indexing ----
  /** `t[...]`: see Note [Index syntax] in ops/indexing.ts. `t.get(1, '1:3')`, `x.get(':, None')`, `sm.get(idx, targ)`. */
  get(...items: ix.IndexItem[]): Tensor { return ix.getItem(this, items); }
  /** `t[...] = value`, in place; returns this. `t.set([0, ':'], 1)` or `t.set('0, :', 1)`. */
  set(items: ix.IndexItem | readonly ix.IndexItem[], value: TL): this {
    const list = Array.isArray(items) && !(items.length > 0 && (typeof items[0] === 'boolean')) && !isNumberArray(items) ? (items as ix.IndexItem[]) : [items as ix.IndexItem];
    return ix.setItem(this, list, value) as this;
  }
  gather(dim: number, index: Tensor): Tensor { return ix.gather(this, dim, index); }
  scatter(dim: number, index: Tensor, src: TL): Tensor { return ix.scatter(this, dim, index, src); }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor { return ix.scatterAdd(this, dim, index, src); }
  scatterAdd_(dim: number, index: Tensor, src: Tensor): this { return ew.inplace(this, (x) => x.scatterAdd(dim, index, src), 'scatter_add_') as this; }
  indexSelect(dim: number, index: Tensor): Tensor { return ix.indexSelect(this, dim, index); }
  nonzero(): Tensor { return ix.nonzero(this); }
  sort(dim = -1, opts: so.SortOpts = {}): red.ValuesIndices { return so.sort(this, dim, opts); }
  argsort(dim = -1, opts: so.SortOpts = {}): Tensor { return so.argsort(this, dim, opts); }
  topk(k: number, opts: so.TopkOpts = {}): red.ValuesIndices { return so.topk(this, k, opts); }

  // ---- linear algebra ----
  matmul(o: Tensor): Tensor { return la.matmul(this, o); }
  mm(o: Tensor): Tensor { return la.mm(this, o); }
  bmm(o: Tensor): Tensor { return la.bmm(this, o); }
  dot(o: Tensor): Tensor { return la.dot(this, o); }
  mv(o: Tensor): Tensor { return la.mv(this, o); }

  // ---- creation helpers ----
  zerosLike(dtype: DType = this.dtype): Tensor { return core.emptyTensor(this.shape, dtype, this.storage.backend).fill_(0); }
  onesLike(dtype: DType = this.dtype): Tensor { return core.emptyTensor(this.shape, dtype, this.storage.backend).fill_(1); }
  fullLike(v: number, dtype: DType = this.dtype): Tensor { return core.emptyTensor(this.shape, dtype, this.storage.backend).fill_(v); }
  newTensor(shape: Shape, dtype: DType = this.dtype): Tensor { return core.emptyTensor(shape, dtype, this.storage.backend); }
}


function isNumberArray(items: unknown): boolean {
  return Array.isArray(items) && items.length > 0 && items.every((v) => typeof v === 'number') && false;
}

function nest(data: TypedArray, shape: Shape, bool: boolean): NestedArray {
  const conv = (v: number): number | boolean => (bool ? v !== 0 : v);
  if (shape.length === 0) return conv(data[0]!);
  let k = 0;
  const build = (d: number): NestedArray[] => {
    const out: NestedArray[] = [];
    for (let i = 0; i < shape[d]!; i++) out.push(d === shape.length - 1 ? conv(data[k++]!) : build(d + 1));
    return out;
  };
  return build(0);
}
