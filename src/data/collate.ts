// Batch collation, following torch.utils.data.default_collate: the structure of one item is kept and
// every leaf position becomes one batched value. Errors name the position ("batch[1].label") that failed.
import '../ops/register.js'; // the Tensor methods' implementations (Note [Tensor impl] in tensor/impl.ts)
import { FastgradError, ShapeError, fmtShape } from '../errors.js';
import { fromArray } from '../tensor/creation.js';
import { type TypedArray, dtypeOfArray, typedArrayFor } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { stack } from '../ops/movement.js';

/**
 * The batch type default collation gives for items of type T: tensors/numbers/booleans/typed arrays →
 * Tensor, strings → string[], tuples/arrays and plain objects → the same shape with each field collated.
 * An item type TypeScript cannot see (unknown/any) gives `any`.
 */
export type Collated<T> = unknown extends T
  ? any
  : T extends Tensor | number | boolean | TypedArray
    ? Tensor
    : T extends string
      ? string[]
      : T extends readonly unknown[]
        ? { -readonly [K in keyof T]: Collated<T[K]> }
        : T extends object
          ? { -readonly [K in keyof T]: Collated<T[K]> }
          : never;

/** A collate function: a list of items → one batch. */
export type CollateFn<T, B> = (items: T[]) => B;

const INT32_MIN = -(2 ** 31), INT32_MAX = 2 ** 31 - 1;

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (v instanceof Tensor) return `a Tensor of shape ${fmtShape(v.shape)}`;
  if (typeof v === 'object') return `an object of class ${(v as object).constructor?.name ?? 'null-prototype'}`;
  return `${typeof v} ${String(v)}`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function mismatch(path: string, k: number, first: unknown, other: unknown): FastgradError {
  return new FastgradError(`collate: ${path}: item 0 is ${describe(first)} but item ${k} is ${describe(other)}; every item of a batch must have the same structure`);
}

/**
 * torch's default_collate. Tensors are stacked (a new first dim); numbers become one tensor, int32 when
 * every value is an integer in int32 range (torch: int64) and float32 otherwise (torch: float64; float32 is
 * fastgrad's default float), so the dtype follows the batch's values, not a Python-style int/float type;
 * booleans → a bool tensor; typed arrays → a [B, n] tensor of their dtype; strings → a string[];
 * arrays/tuples → an array with each position collated; plain objects → an object with each key collated.
 * @example defaultCollate([[x0, 3], [x1, 7]]) // [stack([x0, x1]), tensor([3, 7])]
 */
export function defaultCollate<T>(items: readonly T[]): Collated<T> {
  if (items.length === 0) throw new FastgradError('collate: cannot collate an empty batch');
  return collate(items, 'batch') as Collated<T>;
}

function collate(items: readonly unknown[], path: string): unknown {
  const first = items[0];
  const same = (ok: (v: unknown) => boolean): void => {
    for (let k = 1; k < items.length; k++) if (!ok(items[k])) throw mismatch(path, k, first, items[k]);
  };
  if (first instanceof Tensor) {
    same((v) => v instanceof Tensor);
    const ts = items as readonly Tensor[];
    ts.forEach((t, k) => {
      if (t.ndim !== first.ndim || t.shape.some((s, d) => s !== first.shape[d]))
        throw new ShapeError(`collate: ${path}: item 0 has shape ${fmtShape(first.shape)} but item ${k} has shape ${fmtShape(t.shape)}; tensors must be the same size to be stacked (resize them or pass a collate function)`);
    });
    return stack(ts);
  }
  if (typeof first === 'number') {
    same((v) => typeof v === 'number');
    const vs = items as readonly number[];
    const ints = vs.every((v) => Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX);
    return fromArray(ints ? Int32Array.from(vs) : Float32Array.from(vs), [vs.length]);
  }
  if (typeof first === 'boolean') {
    same((v) => typeof v === 'boolean');
    return fromArray(Uint8Array.from(items as readonly boolean[], (b) => (b ? 1 : 0)), [items.length], { dtype: 'bool' });
  }
  if (typeof first === 'string') {
    same((v) => typeof v === 'string');
    return items.slice();
  }
  if (ArrayBuffer.isView(first) && !(first instanceof DataView)) return collateTyped(items, path);
  if (Array.isArray(first)) {
    same((v) => Array.isArray(v));
    (items as readonly unknown[][]).forEach((a, k) => {
      if (a.length !== first.length)
        throw new FastgradError(`collate: ${path}: item 0 has ${first.length} fields but item ${k} has ${a.length}; each element in a batch should be of equal size`);
    });
    return first.map((_, f) => collate((items as readonly unknown[][]).map((a) => a[f]), `${path}[${f}]`));
  }
  if (isPlainObject(first)) {
    same(isPlainObject);
    const keys = Object.keys(first);
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      (items as readonly Record<string, unknown>[]).forEach((o, k) => {
        if (!(key in o)) throw new FastgradError(`collate: ${path}: item ${k} has no key '${key}' (item 0 has keys ${keys.join(', ')})`);
      });
      out[key] = collate((items as readonly Record<string, unknown>[]).map((o) => o[key]), `${path}.${key}`);
    }
    return out;
  }
  throw new FastgradError(
    `collate: ${path} holds ${describe(first)}; default collation takes tensors, numbers, booleans, strings, typed arrays, arrays and plain objects (pass a collate function for others)`,
  );
}

function collateTyped(items: readonly unknown[], path: string): Tensor {
  const first = items[0] as TypedArray;
  if (![Float32Array, Float64Array, Int32Array, Uint8Array].some((C) => first instanceof C))
    throw new FastgradError(`collate: ${path} holds a ${first.constructor.name}; only Float32Array, Float64Array, Int32Array and Uint8Array can become tensors`);
  const dtype = dtypeOfArray(first);
  const out = typedArrayFor(dtype, items.length * first.length);
  items.forEach((a, k) => {
    if (!(a instanceof first.constructor) || (a as TypedArray).length !== first.length)
      throw new FastgradError(`collate: ${path}: item 0 is a ${first.constructor.name} of length ${first.length} but item ${k} is ${ArrayBuffer.isView(a) ? `a ${a.constructor.name} of length ${(a as TypedArray).length}` : describe(a)}`);
    out.set(a as TypedArray, k * first.length);
  });
  return fromArray(out, [items.length, first.length]);
}
