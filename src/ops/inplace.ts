// In-place ops (`t.add_(o)`, `t.fill_(v)`, `t.copy_(src)`, ...): a fast path that writes straight into
// self when nothing needs the graph, and the general path that computes out of place, writes the
// result back and rebases self's history (and its base's, when self is a view: torch's CopySlices).
import type { View } from '../backend/backend.js';
import { record1 } from '../autograd/node.js';
import { isGradEnabled, noGrad } from '../autograd/grad_mode.js';
import { AutogradError, DTypeError, FastgradError, ShapeError, fmtShape } from '../errors.js';
import { castScalar, category, isFloating } from '../tensor/dtype.js';
import { broadcastShapes, contiguousStrides, isContiguous } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import type { Scalar, TensorLike } from '../tensor/types.js';
import { copyRaw, emptyTensor, sameDevice, sumToShape, toNumber } from './core.js';
import { bview, where } from './elementwise.js';

/**
 * `t.fill_(v)` / `t.zero_()`. A non-leaf (or a view of one) gets a zero-gradient node so its old history
 * stops receiving gradient; otherwise the fill primitive writes straight into self.
 */
export function fill_(self: Tensor, v: Scalar): Tensor {
  if (isGradEnabled() && self.requiresGrad && self.isLeaf)
    throw new AutogradError('fill_: a leaf tensor that requires grad is being used in an in-place operation; wrap it in noGrad()');
  if (isGradEnabled() && (self.requiresGrad || self._base?.requiresGrad))
    return inplace(self, (x) => filled(x, toNumber(v), v === 0 ? 'ZeroBackward0' : 'FillBackward2'), 'fill_');
  self.storage.backend.fill(self, toNumber(v));
  self.storage.version++;
  return self;
}

/**
 * The fast path of `self.add_/sub_/mul_/div_(other)` when nothing needs the graph (noGrad, as in an
 * optimizer step, or no tensor requiring grad): the op's kernel writes straight into self, without the
 * out-of-place result and copy of `inplace`. Same values, same version bump. Returns null (the caller
 * takes the general path, with its errors) unless self's dtype is the op's result dtype, other
 * broadcasts to self's shape without aliasing it, and self has no expanded dims.
 */
export function binaryInplace(op: 'add' | 'sub' | 'mul' | 'div', self: Tensor, other: TensorLike, alpha?: number): Tensor | null {
  const dt = self.dtype;
  if (dt !== 'float32' && dt !== 'float64') return null;
  const ot = other instanceof Tensor ? other : null;
  if (isGradEnabled() && (self.requiresGrad || self._base?.requiresGrad || ot?.requiresGrad)) return null;
  if (ot) {
    if (ot.dtype !== dt || ot.storage.backend !== self.storage.backend || ot.ndim > self.ndim) return null;
    if (ot.storage === self.storage && !(ot.offset === self.offset && sameDims(ot.shape, self.shape) && sameDims(ot.strides, self.strides))) return null;
    const lead = self.ndim - ot.ndim;
    for (let i = 0; i < ot.ndim; i++) if (ot.shape[i] !== 1 && ot.shape[i] !== self.shape[lead + i]) return null;
  } else if (typeof other !== 'number') return null;
  for (let i = 0; i < self.ndim; i++) if (self.strides[i] === 0 && self.shape[i]! > 1) return null;
  if (alpha !== undefined && alpha !== 1 && op !== 'add' && op !== 'sub') return null;
  let b: View | number;
  if (ot) {
    const scaled = alpha === undefined || alpha === 1 ? ot : noGrad(() => ot.mul(alpha));
    b = bview(scaled, self.shape, op);
  } else b = castScalar(alpha === undefined ? (other as number) : (other as number) * alpha, dt);
  self.storage.backend.binary(op, self, b, self);
  self.storage.version++;
  return self;
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Run an op in place: `self.op_(...)`. The result is computed out of place and written back into
 * self's storage (so views see it); with autograd on, self's history is rebased onto the new node,
 * and when self is a view its base's history too (torch's CopySlices).
 */
export function inplace(self: Tensor, compute: (x: Tensor) => Tensor, opName: string): Tensor {
  // NOTE: as torch, refuse to write through a 0-stride (expanded) dim: several elements share one location.
  if (self.shape.some((n, i) => n > 1 && self.strides[i] === 0))
    throw new FastgradError(
      `${opName}: unsupported operation: more than one element of the written-to tensor (shape ${fmtShape(self.shape)}, strides ${fmtShape(self.strides)}) ` +
        'refers to a single memory location; call .clone() on the expanded tensor before the in-place op',
    );
  const gradOn = isGradEnabled();
  if (gradOn && self.requiresGrad && self.isLeaf)
    throw new AutogradError(`${opName}: a leaf tensor that requires grad is being used in an in-place operation; wrap it in noGrad() or use .data`);
  const base = self._base;
  if (gradOn && base && base.requiresGrad && base.isLeaf)
    throw new AutogradError(`${opName}: a view of a leaf tensor that requires grad is being used in an in-place operation; wrap it in noGrad() or use .data`);
  // NOTE: compute on a snapshot of self so tensors saved by the new node are not the ones we overwrite.
  const snapshot = (): Tensor => {
    const c = copyRaw(self);
    if (self.requiresGrad) (c.requiresGrad = true), (c.gradFn = self.gradFn), (c.outputNr = self.outputNr);
    return c;
  };
  let r = compute(gradOn && self.requiresGrad ? snapshot() : self);
  // an operand that requires grad made the new node save self itself: redo it on a snapshot
  if (gradOn && r.requiresGrad && !self.requiresGrad) r = compute(snapshot());
  if (r.dtype !== self.dtype && category(r.dtype) > category(self.dtype))
    throw new DTypeError(`${opName}: result type ${r.dtype} can't be cast to the desired output type ${self.dtype}`);
  const rs = broadcastShapes(self.shape, r.shape, opName);
  if (rs.length !== self.ndim || rs.some((s, i) => s !== self.shape[i]))
    throw new ShapeError(`${opName}: output with shape ${fmtShape(self.shape)} doesn't match the broadcast shape ${fmtShape(rs)}`);
  if (gradOn && r.requiresGrad && base && base.requiresGrad && !self.requiresGrad)
    throw new AutogradError(`${opName}: this view was created in noGrad mode and is being modified in place with grad mode enabled; create the view with grad mode on, or use an out-of-place op`);
  self.storage.backend.copy(bview(r, self.shape, opName), self);
  self.storage.version++;
  if (gradOn && r.requiresGrad) {
    if (base && (base.requiresGrad || !self.requiresGrad)) rebaseBase(base, self, r);
    self.requiresGrad = true;
    self.gradFn = r.gradFn;
    self.outputNr = r.outputNr;
  }
  return self;
}

/**
 * torch's CopySlices: after an in-place op on `view`, the base's gradient is the incoming gradient
 * outside the view's elements plus, inside them, what flows back through the in-place op's node.
 */
function rebaseBase(base: Tensor, view: Tensor, r: Tensor): void {
  const be = base.storage.backend;
  const pos = viewPositions(base, view);
  const idx = new Tensor(be.fromArray(pos), [pos.length], [1], 0);
  const m = new Uint8Array(base.numel());
  for (const p of pos) m[p] = 1;
  const mask = new Tensor(be.fromArray(m), base.shape.slice(), contiguousStrides(base.shape), 0);
  mask._setDtype('bool');
  const hadGrad = base.requiresGrad;
  record1('CopySlices', [hadGrad ? base : null, r], base, (g) => [
    hadGrad ? where(mask, 0, g) : null,
    g.reshape([-1]).gather(0, idx).reshape(view.shape),
  ], [], [mask, idx]);
}

/** Row-major positions, within base's logical layout, of the elements of a view of base's storage. */
function viewPositions(base: Tensor, view: Tensor): Int32Array {
  const offsetsOf = (t: Tensor): Int32Array => {
    const out = new Int32Array(t.numel());
    const n = t.ndim, idx = new Array<number>(n).fill(0);
    let off = t.offset;
    for (let k = 0; k < out.length; k++) {
      out[k] = off;
      for (let d = n - 1; d >= 0; d--) {
        if (++idx[d]! < t.shape[d]!) {
          off += t.strides[d]!;
          break;
        }
        off -= (t.shape[d]! - 1) * t.strides[d]!;
        idx[d] = 0;
      }
    }
    return out;
  };
  const vo = offsetsOf(view);
  if (isContiguous(base.shape, base.strides)) return vo.map((o) => o - base.offset);
  const table = new Map<number, number>();
  offsetsOf(base).forEach((o, i) => table.set(o, i));
  return vo.map((o) => table.get(o) ?? -1);
}

/** The value of `x.copy_(src)`: src cast to x's dtype and broadcast to x's shape (CopyBackwards). */
export function copyInto(x: Tensor, src: Tensor): Tensor {
  sameDevice('copy_', x, src);
  const out = emptyTensor(x.shape, x.dtype, x.storage.backend);
  x.storage.backend.copy(bview(src, x.shape, 'copy_'), out);
  if (!isFloating(x.dtype)) return out;
  return record1('CopyBackwards', [x, src], out, (g) => [g.zerosLike(), sumToShape(g, src.shape).to(src.dtype)]);
}

/** The value of `x.fill_(v)` / `x.zero_()` under autograd: a constant, zero gradient to x. */
export function filled(x: Tensor, v: number, name: 'FillBackward2' | 'ZeroBackward0'): Tensor {
  const out = emptyTensor(x.shape, x.dtype, x.storage.backend);
  x.storage.backend.fill(out, castScalar(v, x.dtype));
  return record1(name, [x], out, (g) => [g.zerosLike()]);
}
