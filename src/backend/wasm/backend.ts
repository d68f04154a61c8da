// The wasm backend object: implements every primitive of the Backend contract by writing a small
// metadata block (shape + element strides per operand) into the wasm memory and calling one kernel.
// Storage lives in the heap (heap.ts); see index.ts for how it is created and registered.
import { contiguousStrides, idempotentShape, numel, viewInBounds } from '../cpu/iter.js';
import type { AdamStepParams, ArgReduceOp, Backend, BinaryOp, Conv2dParams, ReduceOp, Storage, UnaryOp, View } from '../backend.js';
import { BINARY_OPS, REDUCE_OPS, UNARY_OPS, opCodes } from '../ops.js';
import { type DType, type TypedArray, dtypeOfArray } from '../../tensor/dtype.js';
import { ArgumentError, DeviceError, IndexError, ShapeError, UseAfterFreeError, ZeroDivisionError, fmtShape } from '../../errors.js';
import { freedMessage, noteAlloc, noteFree } from '../scope.js';
import type { Heap, HeapStats } from './heap.js';
import type { Kernels } from './loader.js';
import { JOB, JOB_NAMES, MAX_CHUNKS, type Pool, type PoolJob } from './pool.js';
import { I32_MAX, forPieces, inPieces } from './pieces.js';

// Kernel dtype codes (assembly/common.ts). bool storage loads/stores like uint8 except as a copy target.
const F32 = 0, F64 = 1, I32 = 2, U8 = 3, BOOL = 4;
const CODE: Record<DType, number> = { float32: F32, float64: F64, int32: I32, uint8: U8, bool: U8 };
const ES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, uint8: 1, bool: 1 };
// Op codes: positions in the primitive table (Note [Primitive table] in ../ops.ts), as in the kernels.
const UN: Record<UnaryOp, number> = opCodes(UNARY_OPS);
const BIN: Record<BinaryOp, number> = opCodes(BINARY_OPS);
const RED: Record<ReduceOp, number> = opCodes(REDUCE_OPS);

const META_BYTES = 8192;
/** Multiply-adds above which a float32 matmul is split across the thread pool. */
const PAR_MATMUL = 1 << 19;
/** Multiply-adds above which a conv pass is split into chunks of images (run across the pool). */
const PAR_CONV = 1 << 21;
/** Image chunks of a large conv pass: 4 per thread of a 4-thread pool, fixed (results never depend on threads). */
const CONV_CHUNKS = 16;
/** Elements above which a contiguous elementwise op is split across the thread pool. */
const PAR_ELEMENTWISE = 1 << 18;
/** Bytes of one chunk's metadata block. */
const CHUNK_META_BYTES = 64;
/** Elements per chunk of a parallel elementwise op (Note [Work sharing] in pool.ts: more chunks than threads). */
const FLAT_CHUNK = 1 << 16;
/** Multiply-adds per matmul chunk, at least. */
const MATMUL_CHUNK = 1 << 18;
/**
 * Row chunks of a product with a shared packed B (matmulRows): multiply-adds per chunk, rows per chunk
 * at least (smaller chunks lose more to packing A and to edge tiles than they gain in balance; tuned
 * with bench/matmul-shapes.ts and bench/sgemm-tune.ts), and the widest B.
 */
const ROWS_CHUNK = 1 << 21;
const ROWS_MIN = 24;
const PREPACK_MAX_N = 512;

/** A buffer in the wasm memory. `read`/`readSync` return a copy (see WasmBackend.readSync). */
export class WasmStorage implements Storage {
  version = 0;
  freedBy?: string;
  kept = false;
  constructor(
    readonly backend: WasmBackend,
    public dtype: DType,
    readonly size: number,
    /** Byte address in the memory; -1 once freed. */
    public ptr: number,
    /** The heap's block id. */
    readonly id: number,
    /** A reused block whose bytes are stale: zeroed before the first read or partial write. */
    public dirty: boolean,
  ) {}
}

export interface WasmBackendInfo {
  variant: 'relaxed' | 'simd';
  /** Threads ops are cut for, including the caller (1: no pool). */
  threads: number;
  /** Shared memory (worker threads possible), else the single-threaded `-st` build. */
  shared: boolean;
  /** The generated file loaded, and how it was checked against manifest.json ('none': an app's own module). */
  file: string;
  verified: 'sha256' | 'size' | 'none';
}

function isContiguous(v: View): boolean {
  let acc = 1;
  for (let d = v.shape.length - 1; d >= 0; d--) {
    const s = v.shape[d]!;
    if (s !== 1 && v.strides[d] !== acc) return false;
    acc *= s;
  }
  return true;
}

function intDtype(d: DType): boolean {
  return d === 'int32' || d === 'uint8' || d === 'bool';
}

export class WasmBackend implements Backend {
  readonly name = 'wasm';
  readonly isCpu = true;
  private readonly metaPtr: number;
  private readonly metaI: number;
  private readonly scalPtr: number;
  private readonly paramPtr: number;
  /** One metadata block per chunk of a parallel op (pool only). */
  private readonly chunkMeta: number;
  private readonly maxDims: number;
  private scratchPtr = 0;
  private scratchId = -1;
  private scratchBytes = 0;

  constructor(
    readonly k: Kernels,
    readonly heap: Heap,
    /** sgemm workspace of the calling thread. */
    private readonly ws: number,
    private readonly pool: Pool | null,
    readonly info: WasmBackendInfo,
  ) {
    this.metaPtr = heap.alloc(META_BYTES).ptr;
    this.metaI = this.metaPtr >> 2;
    this.scalPtr = heap.alloc(64).ptr;
    this.paramPtr = heap.alloc(256).ptr;
    this.chunkMeta = pool ? heap.alloc(CHUNK_META_BYTES * MAX_CHUNKS).ptr : 0;
    this.maxDims = k.maxDims();
  }

  // ---------------- storage ----------------
  alloc(dtype: DType, size: number): WasmStorage {
    const b = this.heap.alloc(size * ES[dtype]);
    const s = new WasmStorage(this, dtype, size, b.ptr, b.id, b.reused);
    // NOTE: a storage a scope owns is freed (or handed on, trackForGc) when the scope ends, so the
    // FinalizationRegistry (~0.3 us per register, and weak cells slow every GC) is only told about
    // storages that leave every scope alive.
    if (!noteAlloc(s)) this.heap.track(s, s);
    return s;
  }

  /** A storage a scope owned outlives every scope: the GC frees it once it is forgotten. */
  trackForGc(st: Storage): void {
    const s = st as WasmStorage;
    if (s.backend === this && s.ptr >= 0) this.heap.track(s, s);
  }

  isFreed(st: Storage): boolean {
    return (st as WasmStorage).ptr < 0;
  }

  fromArray(data: TypedArray): WasmStorage {
    const dtype = dtypeOfArray(data);
    const s = this.alloc(dtype, data.length);
    this.heap.u8.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), s.ptr);
    s.dirty = false;
    return s;
  }

  /** A copy of the storage's values (not a live view: the memory may grow and move). */
  readSync(st: Storage): TypedArray {
    const s = this.own(st);
    if (s.dirty) this.zero(s);
    const h = this.heap;
    switch (s.dtype) {
      case 'float32': return h.f32.slice(s.ptr >> 2, (s.ptr >> 2) + s.size);
      case 'float64': return h.f64.slice(s.ptr >> 3, (s.ptr >> 3) + s.size);
      case 'int32': return h.i32.slice(s.ptr >> 2, (s.ptr >> 2) + s.size);
      default: return h.u8.slice(s.ptr, s.ptr + s.size);
    }
  }

  /** wasm runs every primitive when it is called (the pool joins before returning), so nothing is queued. */
  async read(s: Storage): Promise<TypedArray> {
    return this.readSync(s);
  }

  /** Release now (idempotent); any later use of the storage throws. */
  free(st: Storage): void {
    const s = st as WasmStorage;
    if (s.backend !== this || s.ptr < 0) return;
    this.heap.freeBlock(s);
    noteFree(s);
  }

  stats(): HeapStats {
    return this.heap.stats();
  }

  /** Threads running ops now, including the caller: below info.threads while workers start or are replaced. */
  get liveThreads(): number {
    return this.pool?.liveThreads ?? 1;
  }

  private own(st: Storage): WasmStorage {
    const s = st as WasmStorage;
    if (s.backend !== this)
      throw new DeviceError(`wasm backend: got a tensor on device '${st.backend.name}' in an op on 'wasm' tensors; move it first with .to('wasm') (or the others with .to('${st.backend.name}'))`);
    if (s.ptr < 0) throw new UseAfterFreeError(freedMessage('wasm', s));
    return s;
  }

  private zero(s: WasmStorage): void {
    this.heap.u8.fill(0, s.ptr, s.ptr + s.size * ES[s.dtype]);
    s.dirty = false;
  }

  /** A view reaching outside its storage (a size or index that escaped the checks in ops/) never reaches a kernel. */
  private bounds(v: View): void {
    if (!viewInBounds(v))
      throw new IndexError(
        `wasm backend: a view of shape ${fmtShape(v.shape)}, strides ${fmtShape(v.strides)} and offset ${v.offset} reaches outside its storage of ${v.storage.size} elements (an unchecked index or size: please report it)`,
      );
  }

  private ptrIn(v: View): number {
    this.bounds(v);
    const s = this.own(v.storage);
    if (s.dirty) this.zero(s);
    return s.ptr + v.offset * ES[s.dtype];
  }

  private ptrOut(v: View): number {
    this.bounds(v);
    const s = this.own(v.storage);
    if (s.dirty) {
      if (v.offset === 0 && numel(v.shape) === s.size && isContiguous(v)) s.dirty = false;
      else this.zero(s);
    }
    return s.ptr + v.offset * ES[s.dtype];
  }

  /** A scratch block of at least `bytes` (reused between calls; the calling thread only). */
  private scratch(bytes: number): number {
    if (bytes > this.scratchBytes) {
      if (this.scratchId >= 0) this.heap.release(this.scratchId);
      const b = this.heap.alloc(Math.max(bytes, 4096));
      this.scratchPtr = b.ptr;
      this.scratchId = b.id;
      this.scratchBytes = Math.max(bytes, 4096);
    }
    return this.scratchPtr;
  }

  /** Write [ndim, shape, strides of each operand] into the metadata block; returns its address. */
  private meta(shape: readonly number[], s0: readonly number[] | null, s1?: readonly number[] | null, s2?: readonly number[] | null, s3?: readonly number[] | null): number {
    const m = this.metaI, i32 = this.heap.i32, nd = shape.length;
    if (1 + 5 * nd > META_BYTES / 4) throw new ShapeError(`wasm backend: tensors with ${nd} dims are not supported`);
    i32[m] = nd;
    let big = 0, n = 1;
    for (let d = 0; d < nd; d++) {
      const s = shape[d]!;
      i32[m + 1 + d] = s;
      n *= s;
      if (s !== 1) big++;
    }
    if (big > this.maxDims) throw new ShapeError(`wasm backend: at most ${this.maxDims} dims of size > 1 are supported, got ${big}`);
    // NOTE: the kernels count in i32: larger iterations are split first (pieces.ts); this is the last guard
    if (n > I32_MAX) throw new ShapeError(`wasm backend: internal: an iteration over ${fmtShape(shape)} reached a kernel unsplit`);
    // NOTE: no array of the operands (a per-op allocation): one call per operand
    this.metaStrides(m + 1 + nd, nd, s0);
    if (s1 !== undefined) this.metaStrides(m + 1 + 2 * nd, nd, s1);
    if (s2 !== undefined) this.metaStrides(m + 1 + 3 * nd, nd, s2);
    if (s3 !== undefined) this.metaStrides(m + 1 + 4 * nd, nd, s3);
    return this.metaPtr;
  }

  private metaStrides(base: number, nd: number, st: readonly number[] | null): void {
    const i32 = this.heap.i32;
    if (st === null) for (let d = 0; d < nd; d++) i32[base + d] = 0;
    else for (let d = 0; d < nd; d++) i32[base + d] = st[d]!;
  }

  /** Put a scalar operand in slot `slot`: in dtype `dt` when exactly representable, else float64. */
  private scalar(slot: number, v: number, dt: DType): [number, number] {
    const p = this.scalPtr + slot * 16, h = this.heap;
    if (dt === 'float32' && (Math.fround(v) === v || v !== v)) {
      h.f32[p >> 2] = v;
      return [p, F32];
    }
    if (dt === 'int32' && v === (v | 0)) {
      h.i32[p >> 2] = v;
      return [p, I32];
    }
    if ((dt === 'uint8' || dt === 'bool') && v === (v & 255)) {
      h.u8[p] = v;
      return [p, U8];
    }
    h.f64[p >> 3] = v;
    return [p, F64];
  }

  /** Store v as element type dt in slot `slot` (the typed-array conversion the reference applies). */
  private scalarAs(slot: number, v: number, dt: DType): number {
    const p = this.scalPtr + slot * 16, h = this.heap;
    switch (dt) {
      case 'float32': h.f32[p >> 2] = v; break;
      case 'float64': h.f64[p >> 3] = v; break;
      case 'int32': h.i32[p >> 2] = v; break;
      default: h.u8[p] = v;
    }
    return p;
  }

  // ---------------- elementwise ----------------
  fill(out: View, value: number): void {
    if (numel(out.shape) > I32_MAX) return inPieces(out.shape, [out], (v) => this.fill(v[0] as View, value));
    const po = this.ptrOut(out);
    const dt = out.storage.dtype;
    this.k.fill(CODE[dt], po, this.meta(out.shape, out.strides), this.scalarAs(0, value, dt));
  }

  copy(x: View, out: View): void {
    if (numel(out.shape) > I32_MAX) return inPieces(out.shape, [x, out], (v) => this.copy(v[0] as View, v[1] as View));
    const px = this.ptrIn(x), po = this.ptrOut(out);
    const dtx = CODE[x.storage.dtype], dto = out.storage.dtype === 'bool' ? BOOL : CODE[out.storage.dtype];
    if (this.flat(out, x)) {
      const ex = ES[x.storage.dtype], eo = ES[out.storage.dtype];
      this.splitFlat(JOB.copy, numel(out.shape), [1, 1], (s, m) => [dtx, dto, px + s * ex, po + s * eo, m]);
      return;
    }
    this.k.copy(dtx, dto, px, po, this.meta(out.shape, x.strides, out.strides));
  }

  unary(op: UnaryOp, x: View, out: View): void {
    if (numel(out.shape) > I32_MAX) return inPieces(out.shape, [x, out], (v) => this.unary(op, v[0] as View, v[1] as View));
    const px = this.ptrIn(x), po = this.ptrOut(out);
    const dtx = CODE[x.storage.dtype], dto = CODE[out.storage.dtype];
    if (this.flat(out, x)) {
      const ex = ES[x.storage.dtype], eo = ES[out.storage.dtype];
      this.splitFlat(JOB.unary, numel(out.shape), [1, 1], (s, m) => [UN[op], dtx, dto, px + s * ex, po + s * eo, m]);
      return;
    }
    this.k.unary(UN[op], dtx, dto, px, po, this.meta(out.shape, x.strides, out.strides));
  }

  /** Whether an elementwise op over out is large and every operand is contiguous (or a scalar). */
  private flat(out: View, a: View | number, b: View | number = 0): boolean {
    if (!this.pool || numel(out.shape) < PAR_ELEMENTWISE || !isContiguous(out)) return false;
    return (typeof a === 'number' || isContiguous(a)) && (typeof b === 'number' || isContiguous(b));
  }

  /**
   * Run a 1-d kernel over n elements in chunks across the pool: chunk i covers [s, e) and gets a
   * metadata block [1, e - s, strides...] (stride 1 for tensors, 0 for scalars). Throws on a kernel
   * error code.
   */
  private splitFlat(fn: number, n: number, strides: number[], args: (s: number, meta: number) => number[]): void {
    const C = Math.min(MAX_CHUNKS, Math.max(2, Math.ceil(n / FLAT_CHUNK))), i32 = this.heap.i32;
    const jobs: PoolJob[] = [];
    for (let t = 0; t < C; t++) {
      const s = split(n, t, C, 16), e = split(n, t + 1, C, 16);
      const m = this.chunkMeta + t * CHUNK_META_BYTES, q = m >> 2;
      i32[q] = 1;
      i32[q + 1] = e - s;
      for (let j = 0; j < strides.length; j++) i32[q + 2 + j] = strides[j]!;
      jobs.push({ fn, args: args(s, m) });
    }
    const f = this.k[JOB_NAMES[fn]!] as unknown as (...a: number[]) => number;
    const rc = this.pool!.run(jobs, (_fn, a) => f(...a));
    if (rc) throw new ZeroDivisionError('ZeroDivisionError: integer division or modulo by zero');
  }

  binary(op: BinaryOp, a: View | number, b: View | number, out: View): void {
    if (numel(out.shape) > I32_MAX) return inPieces(out.shape, [a, b, out], (v) => this.binary(op, v[0]!, v[1]!, v[2] as View));
    const cdt = typeof a === 'number' ? (b as View).storage.dtype : a.storage.dtype;
    let pa: number, dta: number, pb: number, dtb: number;
    if (typeof a === 'number') [pa, dta] = this.scalar(0, a, cdt);
    else (pa = this.ptrIn(a)), (dta = CODE[a.storage.dtype]);
    if (typeof b === 'number') [pb, dtb] = this.scalar(1, b, cdt);
    else (pb = this.ptrIn(b)), (dtb = CODE[b.storage.dtype]);
    const po = this.ptrOut(out);
    const opc = BIN[op], int = intDtype(cdt) ? 1 : 0, dto = CODE[out.storage.dtype];
    if (this.flat(out, a, b)) {
      const ea = typeof a === 'number' ? 0 : ES[a.storage.dtype], eb = typeof b === 'number' ? 0 : ES[b.storage.dtype], eo = ES[out.storage.dtype];
      this.splitFlat(JOB.binary, numel(out.shape), [ea ? 1 : 0, eb ? 1 : 0, 1], (s, m) => [opc, int, dta, dtb, dto, pa + s * ea, pb + s * eb, po + s * eo, m]);
      return;
    }
    const m = this.meta(out.shape, typeof a === 'number' ? null : a.strides, typeof b === 'number' ? null : b.strides, out.strides);
    const err = this.k.binary(opc, int, dta, dtb, dto, pa, pb, po, m);
    if (err) throw new ZeroDivisionError('ZeroDivisionError: integer division or modulo by zero');
  }

  where(cond: View, a: View | number, b: View | number, out: View): void {
    if (numel(out.shape) > I32_MAX) return inPieces(out.shape, [cond, a, b, out], (v) => this.where(v[0] as View, v[1]!, v[2]!, v[3] as View));
    const odt = out.storage.dtype;
    const pc = this.ptrIn(cond);
    let pa: number, dta: number, pb: number, dtb: number;
    if (typeof a === 'number') (pa = this.scalarAs(0, a, odt)), (dta = CODE[odt]);
    else (pa = this.ptrIn(a)), (dta = CODE[a.storage.dtype]);
    if (typeof b === 'number') (pb = this.scalarAs(1, b, odt)), (dtb = CODE[odt]);
    else (pb = this.ptrIn(b)), (dtb = CODE[b.storage.dtype]);
    const po = this.ptrOut(out);
    const m = this.meta(out.shape, cond.strides, typeof a === 'number' ? null : a.strides, typeof b === 'number' ? null : b.strides, out.strides);
    this.k.where(dta, dtb, CODE[odt], pc, pa, pb, po, m);
  }

  clamp(x: View, min: number | null, max: number | null, out: View): void {
    if (numel(out.shape) > I32_MAX) return inPieces(out.shape, [x, out], (v) => this.clamp(v[0] as View, min, max, v[1] as View));
    const px = this.ptrIn(x), po = this.ptrOut(out);
    this.k.clamp(CODE[x.storage.dtype], CODE[out.storage.dtype], px, po, min ?? -Infinity, max ?? Infinity, this.meta(out.shape, x.strides, out.strides));
  }

  // ---------------- reductions ----------------
  reduce(op: ReduceOp, x: View, axes: readonly number[], out: View): void {
    const px = this.ptrIn(x);
    const count = numel(out.shape);
    const acc = this.scratch(count * 8);
    const accStrides = contiguousStrides(out.shape);
    for (const a of axes) accStrides[a] = 0;
    const shape = idempotentShape(op, x, axes), dt = CODE[x.storage.dtype], es = ES[x.storage.dtype];
    if (numel(shape) <= I32_MAX) this.k.reduce(RED[op], dt, px, acc, count, this.meta(shape, x.strides, accStrides), 1);
    else {
      // pieces of x accumulate into one acc: only the first fills it with the identity
      let init = 1;
      forPieces(shape, [x.strides, accStrides], (sh, o) => {
        this.k.reduce(RED[op], dt, px + o[0]! * es, acc + o[1]! * 8, count, this.meta(sh, x.strides, accStrides), init);
        init = 0;
      });
    }
    const po = this.ptrOut(out);
    this.k.copy(F64, CODE[out.storage.dtype], acc, po, this.meta(out.shape, contiguousStrides(out.shape), out.strides));
  }

  argReduce(op: ArgReduceOp, x: View, axis: number, out: View): void {
    const px = this.ptrIn(x), po = this.ptrOut(out);
    const sAx = x.strides[axis] ?? 0;
    // NOTE: along a broadcast axis every element is the same: the first one is the answer (ops/ lets an
    // axis longer than int32 indices through only when broadcast)
    const len = sAx === 0 ? Math.min(x.shape[axis] ?? 1, 1) : (x.shape[axis] ?? 1);
    if (len > I32_MAX) throw new ArgumentError(`${op}: an axis of ${len} elements has indices beyond int32`);
    this.k.argReduce(op === 'argmax' ? 1 : 0, CODE[x.storage.dtype], px, po, len, sAx, this.meta(out.shape, x.strides, out.strides));
  }

  cumsum(x: View, axis: number, out: View): void {
    const px = this.ptrIn(x), po = this.ptrOut(out);
    const shape = x.shape.slice();
    const len = shape[axis]!;
    shape[axis] = 1;
    this.k.cumsum(CODE[x.storage.dtype], CODE[out.storage.dtype], px, po, len, x.strides[axis]!, out.strides[axis]!, this.meta(shape, x.strides, out.strides));
  }

  // ---------------- indexing ----------------
  gather(x: View, axis: number, index: View, out: View): void {
    const px = this.ptrIn(x), pi = this.ptrIn(index), po = this.ptrOut(out);
    const len = x.shape[axis]!;
    const xs = x.strides.slice();
    xs[axis] = 0;
    const dt = CODE[x.storage.dtype], dti = CODE[index.storage.dtype], sAx = x.strides[axis]!;
    // NOTE: not split across threads: a memory-bound row copy, and on this 2-core machine two threads
    // made index_select of a batch slower (measured), not faster.
    const err = this.k.gather(dt, dti, px, pi, po, Math.min(len, 2 ** 32 - 1), sAx, this.meta(out.shape, xs, index.strides, out.strides));
    if (err) throw new IndexError(`gather: index ${this.k.errValue()} is out of bounds for dimension ${axis} with size ${len}`);
  }

  scatterAdd(out: View, axis: number, index: View, src: View): void {
    const pi = this.ptrIn(index), ps = this.ptrIn(src), po = this.ptrIn(out);
    const len = out.shape[axis]!;
    const os = out.strides.slice();
    os[axis] = 0;
    const err = this.k.scatterAdd(CODE[out.storage.dtype], CODE[index.storage.dtype], po, pi, ps, Math.min(len, 2 ** 32 - 1), out.strides[axis]!, this.meta(index.shape, os, index.strides, src.strides));
    if (err) throw new IndexError(`scatter_add: index ${this.k.errValue()} is out of bounds for dimension ${axis} with size ${len}`);
  }

  // ---------------- matmul ----------------
  matmul(a: View, b: View, out: View): void {
    const temps: WasmStorage[] = [];
    try {
      const odt = out.storage.dtype;
      const av = a.storage.dtype === odt ? a : this.castTemp(a, odt, temps);
      const bv = b.storage.dtype === odt ? b : this.castTemp(b, odt, temps);
      const [B, M, K] = av.shape as [number, number, number];
      const N = bv.shape[2]!;
      const pa = this.ptrIn(av), pb = this.ptrIn(bv), po = this.ptrOut(out);
      const [sab, sam, sak] = av.strides as [number, number, number];
      const [sbb, sbk, sbn] = bv.strides as [number, number, number];
      const [scb, scm, scn] = out.strides as [number, number, number];
      const dt = CODE[odt], es = ES[odt];
      const args = (b0: number, b1: number, m0: number, m1: number, n0: number, n1: number, ws: number): number[] => [
        dt, b1 - b0, m1 - m0, n1 - n0, K,
        pa + (b0 * sab + m0 * sam) * es, sab, sam, sak,
        pb + (b0 * sbb + n0 * sbn) * es, sbb, sbk, sbn,
        po + (b0 * scb + m0 * scm + n0 * scn) * es, scb, scm, scn, ws,
      ];
      const macs = B * M * N * K;
      if (this.pool && dt === F32 && macs >= PAR_MATMUL) {
        // chunks of whole batches, else of rows (multiples of both register tiles' 4 and 6), else of columns
        const C = Math.min(MAX_CHUNKS, Math.max(2, Math.floor(macs / MATMUL_CHUNK)));
        const jobs: PoolJob[] = [];
        const push = (r: number[]): void => void jobs.push({ fn: JOB.matmul, args: r, ws: r.length - 1 });
        if (B >= 2) {
          const cb = Math.min(C, B);
          for (let t = 0; t < cb; t++) push(args(Math.floor((B * t) / cb), Math.floor((B * (t + 1)) / cb), 0, M, 0, N, 0));
        } else if (M >= N && N > 1 && N <= PREPACK_MAX_N && dt === F32) {
          this.matmulRows(M, N, K, pa, sam, sak, pb, sbk, sbn, po, scm, scn);
          return;
        } else if (M >= N) {
          // NOTE: every row chunk packs all of B again: chunks of >= 256 rows keep that under ~1 % of the
          // work (smaller chunks only to give each thread one)
          const T = this.pool.threads;
          const cm = Math.max(1, Math.min(T, Math.floor(M / 12)), Math.min(C, Math.floor(M / 256)));
          for (let t = 0; t < cm; t++) push(args(0, B, split(M, t, cm, 12), split(M, t + 1, cm, 12), 0, N, 0));
        } else {
          const T = this.pool.threads;
          const cn = Math.max(1, Math.min(T, Math.floor(N / 8)), Math.min(C, Math.floor(N / 128)));
          for (let t = 0; t < cn; t++) push(args(0, B, 0, M, split(N, t, cn, 8), split(N, t + 1, cn, 8), 0));
        }
        this.pool.run(jobs, (_fn, a) => (this.k.matmul as (...a: number[]) => void)(...a));
      } else {
        (this.k.matmul as (...a: number[]) => void)(...args(0, B, 0, M, 0, N, this.ws));
      }
    } finally {
      for (const t of temps) this.free(t);
    }
  }

  /**
   * One float32 product split into chunks of rows that share one packed B (sgemmPackB, once, on this
   * thread): chunks cost no repacking, so there can be several per thread, and a worker that starts
   * late only leaves more chunks to this thread (Note [Work sharing] in pool.ts). The chunks run the
   * same blocked kernel as an unsplit sgemm: results are identical whatever the chunking and threads.
   */
  private matmulRows(M: number, N: number, K: number, pa: number, sam: number, sak: number, pb: number, sbk: number, sbn: number, pc: number, scm: number, scn: number): void {
    const T = this.pool!.threads;
    const macs = M * N * K;
    const cm = Math.max(1, Math.min(MAX_CHUNKS, Math.floor(M / ROWS_MIN), Math.max(2 * T, Math.floor(macs / ROWS_CHUNK))));
    const packed = this.heap.alloc(this.k.sgemmPackedBytes(N, K));
    try {
      this.k.sgemmPackB(N, K, pb, sbk, sbn, packed.ptr);
      const jobs: PoolJob[] = [];
      for (let t = 0; t < cm; t++) {
        const m0 = split(M, t, cm, 12), m1 = split(M, t + 1, cm, 12);
        if (m1 > m0) jobs.push({ fn: JOB.sgemmPrepacked, args: [m1 - m0, N, K, pa + m0 * sam * 4, sam, sak, packed.ptr, pc + m0 * scm * 4, scm, scn, 0], ws: 10 });
      }
      this.pool!.run(jobs, (_fn, a) => (this.k.sgemmPrepacked as (...a: number[]) => void)(...a));
    } finally {
      this.heap.release(packed.id);
    }
  }

  // ---------------- fused optimizer steps ----------------
  sgdStep(p: View, g: View, avg: View | null, lr: number, mom: number): void {
    const pg = this.ptrIn(g), pp = this.ptrIn(p), pa = avg ? this.ptrIn(avg) : 0;
    this.k.sgdStep(numel(p.shape), pp, pg, pa, lr, mom, avg ? 1 : 0);
  }

  adamStep(p: View, g: View, avg: View, sqr: View, h: AdamStepParams): void {
    const pg = this.ptrIn(g), pp = this.ptrIn(p), pa = this.ptrIn(avg), ps = this.ptrIn(sqr);
    const f = this.heap.f32, q = this.scalPtr >> 2;
    // the scalars exactly as the op sequence computes and rounds them (castScalar: Math.fround)
    f[q] = h.mom;
    f[q + 1] = 1 - h.mom;
    f[q + 2] = h.sqrMom;
    f[q + 3] = 1 - h.sqrMom;
    f[q + 4] = h.debias2;
    f[q + 5] = h.eps;
    this.k.adamStep(numel(p.shape), pp, pg, pa, ps, this.scalPtr, Math.fround(h.lr / h.debias1));
  }

  // ---------------- conv2d ----------------
  conv2d(x: View, w: View, out: View, p: Conv2dParams): void {
    this.conv('fwd', x, w, out, p);
  }
  conv2dBackwardInput(gradOut: View, w: View, gradIn: View, p: Conv2dParams): void {
    this.conv('bwdIn', gradOut, w, gradIn, p);
  }
  conv2dBackwardWeight(x: View, gradOut: View, gradW: View, p: Conv2dParams): void {
    this.conv('bwdW', x, gradOut, gradW, p);
  }

  /**
   * The three conv passes share their set-up: contiguous float operands (copies when needed), the
   * parameter block, an im2col buffer per thread and the split across threads.
   */
  private conv(pass: 'fwd' | 'bwdIn' | 'bwdW', in0: View, in1: View, res: View, p: Conv2dParams): void {
    if (!(p.stride[0] >= 1 && p.stride[1] >= 1 && p.dilation[0] >= 1 && p.dilation[1] >= 1 && p.padding[0] >= 0 && p.padding[1] >= 0 && p.groups >= 1))
      throw new ArgumentError(`conv2d: stride and dilation must be >= 1, padding >= 0 and groups >= 1 (got stride ${p.stride}, padding ${p.padding}, dilation ${p.dilation}, groups ${p.groups})`);
    const temps: WasmStorage[] = [];
    try {
      const dtype = res.storage.dtype;
      const dt = CODE[dtype], es = ES[dtype];
      const a = this.contigTemp(in0, dtype, temps), b = this.contigTemp(in1, dtype, temps);
      const resC = isContiguous(res) && res.storage.dtype === dtype ? res : this.tempLike(res, dtype, temps);
      // geometry: x, w, out shapes depend on the pass
      const xShape = pass === 'bwdIn' ? res.shape : in0.shape;
      const wShape = pass === 'fwd' ? in1.shape : pass === 'bwdIn' ? in1.shape : res.shape;
      const oShape = pass === 'fwd' ? res.shape : pass === 'bwdIn' ? in0.shape : in1.shape;
      const [N, C, H, W] = xShape as [number, number, number, number];
      const [O, cg, KH, KW] = wShape as [number, number, number, number];
      const [, , OH, OW] = oShape as [number, number, number, number];
      const i32 = this.heap.i32, q = this.paramPtr >> 2;
      const prm = [N, C, H, W, O, KH, KW, OH, OW, p.stride[0], p.stride[1], p.padding[0], p.padding[1], p.dilation[0], p.dilation[1], p.groups];
      for (let i = 0; i < prm.length; i++) i32[q + i] = prm[i]!;
      const pa = this.ptrIn(a), pb = this.ptrIn(b), pr = this.ptrOut(resC);
      const direct = KH === 1 && KW === 1 && p.stride[0] === 1 && p.stride[1] === 1 && p.padding[0] === 0 && p.padding[1] === 0;
      const colBytes = direct ? 16 : cg * KH * KW * OH * OW * es;
      const macs = N * O * cg * KH * KW * OH * OW;
      const fn = pass === 'fwd' ? JOB.conv2dForward : pass === 'bwdIn' ? JOB.conv2dBackwardInput : JOB.conv2dBackwardWeight;
      // chunks of images, as many whatever the thread count (bwdW chunks write partial gradW's summed
      // below in chunk order, so the result does not depend on the threads either)
      const parts = macs >= PAR_CONV ? Math.max(1, Math.min(N, CONV_CHUNKS, MAX_CHUNKS)) : 1;
      const T = this.pool && parts > 1 ? this.pool.threads : 1;
      const jobs: PoolJob[] = [];
      const cols: { ptr: number; id: number }[] = [];
      const partials: WasmStorage[] = [];
      for (let t = 0; t < T; t++) {
        const col = this.heap.alloc(colBytes);
        cols.push(col);
        this.pool?.setScratch(t, col.ptr);
      }
      for (let t = 0; t < parts; t++) {
        let dst = pr;
        if (pass === 'bwdW' && t > 0) {
          const tmp = this.alloc(dtype, numel(res.shape));
          temps.push(tmp);
          partials.push(tmp);
          dst = tmp.ptr;
        }
        jobs.push({ fn, args: [dt, pa, pb, dst, this.paramPtr, Math.floor((N * t) / parts), Math.floor((N * (t + 1)) / parts), cols[0]!.ptr, this.ws], scratch: 7, ws: 8 });
      }
      const f = (pass === 'fwd' ? this.k.conv2dForward : pass === 'bwdIn' ? this.k.conv2dBackwardInput : this.k.conv2dBackwardWeight) as (...a: number[]) => void;
      try {
        if (T > 1) this.pool!.run(jobs, (_fn, a) => f(...a));
        else for (const j of jobs) f(...j.args);
      } finally {
        for (const c of cols) this.heap.release(c.id);
      }
      const whole = { shape: resC.shape, strides: resC.strides, offset: resC.offset };
      for (const tmp of partials) {
        tmp.dirty = false;
        this.binary('add', resC, { storage: tmp, ...whole, offset: 0 }, resC);
      }
      if (resC !== res) this.copy(resC, res);
    } finally {
      for (const t of temps) this.free(t);
    }
  }

  private tempLike(v: View, dtype: DType, temps: WasmStorage[]): View {
    const s = this.alloc(dtype, numel(v.shape));
    temps.push(s);
    return { storage: s, shape: v.shape, strides: contiguousStrides(v.shape), offset: 0 };
  }

  private castTemp(v: View, dtype: DType, temps: WasmStorage[]): View {
    const t = this.tempLike(v, dtype, temps);
    this.copy(v, t);
    return t;
  }

  private contigTemp(v: View, dtype: DType, temps: WasmStorage[]): View {
    return isContiguous(v) && v.storage.dtype === dtype ? v : this.castTemp(v, dtype, temps);
  }
}

/** Start of part t of T over n items, rounded to a multiple of `align` (the last part ends at n). */
function split(n: number, t: number, T: number, align: number): number {
  if (t >= T) return n;
  return Math.min(n, Math.round((n * t) / T / align) * align);
}
