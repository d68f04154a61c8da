// The reference CPU backend: scalar loops over strides on typed arrays. Simple and obviously right;
// it is the oracle every other backend is tested against. Values are computed in float64 and rounded
// on store (float32 stores round to nearest, int32/uint8 stores wrap like C casts).
import type { Backend, Conv2dParams, ReduceOp, Storage, View } from '../backend.js';
import { type DType, type TypedArray, dtypeOfArray, typedArrayFor } from '../../tensor/dtype.js';
import { contiguousStrides, idempotentShape, iterate, numel, viewInBounds } from './iter.js';
import { DeviceError, IndexError, UseAfterFreeError, fmtShape } from '../../errors.js';
import { freedMessage, noteAlloc, noteFree } from '../scope.js';
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight } from './conv.js';
import { UNARY, binaryFn } from './elementwise.js';

export class CpuStorage implements Storage {
  version = 0;
  freedBy?: string;
  kept = false;
  readonly size: number;
  /** null once freed: every later access throws (the reference backend catches use-after-free too). */
  private arr: TypedArray | null;
  constructor(readonly backend: Backend, data: TypedArray, readonly dtype: DType) {
    this.arr = data;
    this.size = data.length;
  }
  get data(): TypedArray {
    if (this.arr === null) throw new UseAfterFreeError(freedMessage(this.backend.name, this));
    return this.arr;
  }
  get freed(): boolean {
    return this.arr === null;
  }
  /** @internal drop the array (free). */
  _release(): void {
    this.arr = null;
  }
}

/** The data under a view, which must lie inside its storage (the same guard as the wasm backend's). */
function buf(v: View): TypedArray {
  if (!viewInBounds(v))
    throw new IndexError(
      `cpu backend: a view of shape ${fmtShape(v.shape)}, strides ${fmtShape(v.strides)} and offset ${v.offset} reaches outside its storage of ${v.storage.size} elements (an unchecked index or size: please report it)`,
    );
  return data(v.storage);
}
// NOTE: kernels only check that a storage is a reference-backend one (any name: 'cpu', 'cpu-async');
// which backend owns it is checked by identity, in ops/ (sameDevice) and in `own` below for reads.
function data(s: Storage): TypedArray {
  if (!(s instanceof CpuStorage))
    throw new DeviceError(`cpu backend: got a tensor on device '${s.backend.name}' in an op on reference-backend tensors; move it first with .to('cpu') (or the others with .to('${s.backend.name}'))`);
  return s.data;
}

function newStorage(be: Backend, d: TypedArray, dtype: DType): CpuStorage {
  const s = new CpuStorage(be, d, dtype);
  noteAlloc(s);
  return s;
}

/** Broadcast-free scalar operand: a 0-stride view over a one-element array. */
function operand(v: View | number, shape: readonly number[]): [TypedArray, readonly number[], number] {
  if (typeof v === 'number') return [Float64Array.of(v), new Array<number>(shape.length).fill(0), 0];
  return [buf(v), v.strides, v.offset];
}

/**
 * The reference backend. `name` is the device name its tensors report; cpu/async.ts builds the
 * async-only variant ('cpu-async') from one of these, so both share every kernel and storage rule.
 */
export function createCpuBackend(name = 'cpu'): Backend {
  const own = (s: Storage): TypedArray => {
    if (s.backend !== be)
      throw new DeviceError(`${name} backend: got a tensor on device '${s.backend.name}' in a read on '${name}'; move it first with .to('${name}')`);
    return data(s);
  };
  const be: Backend = {
    name,
    isCpu: true,
    alloc: (dtype, size) => newStorage(be, typedArrayFor(dtype, size), dtype),
    fromArray: (d) => newStorage(be, d, dtypeOfArray(d)),
    // cpu runs every primitive when it is called, so a read never waits for queued work
    read: async (s) => own(s).slice(),
    readSync: (s) => own(s).slice(),
    hostArray: (s) => own(s),
    free(s) {
      if (!(s instanceof CpuStorage) || s.freed) return;
      s._release();
      noteFree(s);
    },
    isFreed: (s) => s instanceof CpuStorage && s.freed,
    fill(out, value) {
      const o = buf(out);
      iterate(out.shape, [out.strides], [out.offset], (of, n, inn) => {
        for (let i = 0, io = of[0]!; i < n; i++, io += inn[0]!) o[io] = value;
      });
    },
    copy(x, out) {
      const xd = buf(x), od = buf(out);
      const toBool = out.storage.dtype === 'bool';
      iterate(out.shape, [x.strides, out.strides], [x.offset, out.offset], (of, n, inn) => {
        let ix = of[0]!, io = of[1]!;
        const sx = inn[0]!, so = inn[1]!;
        if (toBool) for (let i = 0; i < n; i++, ix += sx, io += so) od[io] = xd[ix] !== 0 ? 1 : 0;
        else for (let i = 0; i < n; i++, ix += sx, io += so) od[io] = xd[ix]!;
      });
    },
    unary(op, x, out) {
      const f = UNARY[op];
      const xd = buf(x), od = buf(out);
      iterate(out.shape, [x.strides, out.strides], [x.offset, out.offset], (of, n, inn) => {
        let ix = of[0]!, io = of[1]!;
        const sx = inn[0]!, so = inn[1]!;
        for (let i = 0; i < n; i++, ix += sx, io += so) od[io] = f(xd[ix]!);
      });
    },
    binary(op, a, b, out) {
      const dt = typeof a === 'number' ? (b as View).storage.dtype : a.storage.dtype;
      const f = binaryFn(op, dt);
      const [ad, as, ao] = operand(a, out.shape);
      const [bd, bs, bo] = operand(b, out.shape);
      const od = buf(out);
      iterate(out.shape, [as, bs, out.strides], [ao, bo, out.offset], (of, n, inn) => {
        let ia = of[0]!, ib = of[1]!, io = of[2]!;
        const sa = inn[0]!, sb = inn[1]!, so = inn[2]!;
        for (let i = 0; i < n; i++, ia += sa, ib += sb, io += so) od[io] = f(ad[ia]!, bd[ib]!);
      });
    },
    where(cond, a, b, out) {
      const cd = buf(cond);
      const [ad, as, ao] = operand(a, out.shape);
      const [bd, bs, bo] = operand(b, out.shape);
      const od = buf(out);
      iterate(out.shape, [cond.strides, as, bs, out.strides], [cond.offset, ao, bo, out.offset], (of, n, inn) => {
        let ic = of[0]!, ia = of[1]!, ib = of[2]!, io = of[3]!;
        for (let i = 0; i < n; i++, ic += inn[0]!, ia += inn[1]!, ib += inn[2]!, io += inn[3]!) od[io] = cd[ic] ? ad[ia]! : bd[ib]!;
      });
    },
    clamp(x, min, max, out) {
      const lo = min ?? -Infinity, hi = max ?? Infinity;
      const xd = buf(x), od = buf(out);
      iterate(out.shape, [x.strides, out.strides], [x.offset, out.offset], (of, n, inn) => {
        let ix = of[0]!, io = of[1]!;
        for (let i = 0; i < n; i++, ix += inn[0]!, io += inn[1]!) {
          const v = xd[ix]!;
          // NOTE: torch.clamp applies min then max, so min > max gives max everywhere.
          od[io] = v !== v ? v : Math.min(Math.max(v, lo), hi);
        }
      });
    },
    reduce(op, x, axes, out) {
      reduceKernel(op, x, axes, out);
    },
    argReduce(op, x, axis, out) {
      const xd = buf(x), od = buf(out);
      const sAx = x.strides[axis]!;
      // NOTE: along a broadcast axis every element is the same: the first one is the answer
      const len = sAx === 0 ? Math.min(x.shape[axis]!, 1) : x.shape[axis]!;
      const isMax = op === 'argmax';
      iterate(out.shape, [x.strides, out.strides], [x.offset, out.offset], (of, n, inn) => {
        let ix = of[0]!, io = of[1]!;
        for (let i = 0; i < n; i++, ix += inn[0]!, io += inn[1]!) {
          let best = xd[ix]!, bi = 0;
          for (let k = 1; k < len && best === best; k++) {
            const v = xd[ix + k * sAx]!;
            if (v !== v || (isMax ? v > best : v < best)) (best = v), (bi = k);
          }
          od[io] = bi;
        }
      });
    },
    cumsum(x, axis, out) {
      const xd = buf(x), od = buf(out);
      const len = x.shape[axis]!, sx = x.strides[axis]!, so = out.strides[axis]!;
      const shape = x.shape.slice();
      shape[axis] = 1;
      iterate(shape, [x.strides, out.strides], [x.offset, out.offset], (of, n, inn) => {
        let ix = of[0]!, io = of[1]!;
        for (let i = 0; i < n; i++, ix += inn[0]!, io += inn[1]!) {
          let acc = 0;
          for (let k = 0; k < len; k++) od[io + k * so] = acc += xd[ix + k * sx]!;
        }
      });
    },
    matmul(a, b, out) {
      const ad = buf(a), bd = buf(b), od = buf(out);
      const [B, M, K] = a.shape as [number, number, number];
      const N = b.shape[2]!;
      const acc = new Float64Array(N);
      const [sab, sam, sak] = a.strides as [number, number, number];
      const [sbb, sbk, sbn] = b.strides as [number, number, number];
      const [sob, som, son] = out.strides as [number, number, number];
      for (let bi = 0; bi < B; bi++) {
        for (let i = 0; i < M; i++) {
          acc.fill(0);
          const aRow = a.offset + bi * sab + i * sam;
          for (let k = 0; k < K; k++) {
            const av = ad[aRow + k * sak]!;
            if (av === 0) continue;
            const bRow = b.offset + bi * sbb + k * sbk;
            for (let j = 0; j < N; j++) acc[j]! += av * bd[bRow + j * sbn]!;
          }
          const oRow = out.offset + bi * sob + i * som;
          for (let j = 0; j < N; j++) od[oRow + j * son] = acc[j]!;
        }
      }
    },
    gather(x, axis, index, out) {
      const xd = buf(x), id = buf(index), od = buf(out);
      const len = x.shape[axis]!, sAx = x.strides[axis]!;
      const xs = x.strides.slice();
      xs[axis] = 0;
      iterate(out.shape, [xs, index.strides, out.strides], [x.offset, index.offset, out.offset], (of, n, inn) => {
        let ix = of[0]!, ii = of[1]!, io = of[2]!;
        for (let i = 0; i < n; i++, ix += inn[0]!, ii += inn[1]!, io += inn[2]!) {
          const k = id[ii]!;
          if (k < 0 || k >= len) throw new IndexError(`gather: index ${k} is out of bounds for dimension ${axis} with size ${len}`);
          od[io] = xd[ix + k * sAx]!;
        }
      });
    },
    scatterAdd(out, axis, index, src) {
      const sd = buf(src), id = buf(index), od = buf(out);
      const len = out.shape[axis]!, sAx = out.strides[axis]!;
      const os = out.strides.slice();
      os[axis] = 0;
      iterate(index.shape, [os, index.strides, src.strides], [out.offset, index.offset, src.offset], (of, n, inn) => {
        let io = of[0]!, ii = of[1]!, is = of[2]!;
        for (let i = 0; i < n; i++, io += inn[0]!, ii += inn[1]!, is += inn[2]!) {
          const k = id[ii]!;
          if (k < 0 || k >= len) throw new IndexError(`scatter_add: index ${k} is out of bounds for dimension ${axis} with size ${len}`);
          od[io + k * sAx] += sd[is]!;
        }
      });
    },
    conv2d: (x, w, out, p: Conv2dParams) => conv2d(buf(x), x, buf(w), w, buf(out), out, p),
    conv2dBackwardInput: (g, w, gi, p) => conv2dBackwardInput(buf(g), g, buf(w), w, buf(gi), gi, p),
    conv2dBackwardWeight: (x, g, gw, p) => conv2dBackwardWeight(buf(x), x, buf(g), g, buf(gw), gw, p),
  };
  return be;
}

function reduceKernel(op: ReduceOp, x: View, axes: readonly number[], out: View): void {
  const xd = buf(x), od = buf(out);
  const total = numel(out.shape);
  const init = op === 'sum' ? 0 : op === 'prod' ? 1 : op === 'max' ? -Infinity : Infinity;
  // NOTE: accumulate in float64 (torch accumulates float32 sums in a wider/cascaded way too).
  const acc = new Float64Array(total).fill(init);
  const accStrides = contiguousStrides(out.shape);
  for (const a of axes) accStrides[a] = 0;
  iterate(idempotentShape(op, x, axes), [x.strides, accStrides], [x.offset, 0], (of, n, inn) => {
    let ix = of[0]!, ia = of[1]!;
    const sx = inn[0]!, sa = inn[1]!;
    // NOTE: a row into one accumulator (sa = 0) sums in a local: the same float64 additions, no stores
    switch (op) {
      case 'sum':
        if (sa === 0) {
          let s = acc[ia]!;
          for (let i = 0; i < n; i++, ix += sx) s += xd[ix]!;
          acc[ia] = s;
        } else for (let i = 0; i < n; i++, ix += sx, ia += sa) acc[ia]! += xd[ix]!;
        break;
      case 'prod': for (let i = 0; i < n; i++, ix += sx, ia += sa) acc[ia]! *= xd[ix]!; break;
      case 'max':
        for (let i = 0; i < n; i++, ix += sx, ia += sa) {
          const v = xd[ix]!;
          if (v > acc[ia]! || v !== v) acc[ia] = v;
        }
        break;
      case 'min':
        for (let i = 0; i < n; i++, ix += sx, ia += sa) {
          const v = xd[ix]!;
          if (v < acc[ia]! || v !== v) acc[ia] = v;
        }
        break;
    }
  });
  let k = 0;
  iterate(out.shape, [out.strides], [out.offset], (of, n, inn) => {
    for (let i = 0, io = of[0]!; i < n; i++, io += inn[0]!) od[io] = acc[k++]!;
  });
}
