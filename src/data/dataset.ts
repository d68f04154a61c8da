// Datasets: anything indexable that yields one item per index (PyTorch's map-style Dataset, fastai's
// "a list of tuples"). Arrays are datasets as they are; `zip(xs, ys)` is the book's
// `list(zip(train_x, train_y))`, kept lazy for tensors so the DataLoader can gather whole batches at once.
import '../ops/register.js'; // the Tensor methods' implementations (Note [Tensor impl] in tensor/impl.ts)
import { FastgradError, ShapeError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';

/** A map-style dataset: `length` items, item `i` from `get(i)` (torch `__len__`/`__getitem__`). */
export interface Dataset<T> {
  readonly length: number;
  get(i: number): T;
}

/**
 * What DataLoader accepts: a Dataset, a plain array of items, or a tensor (items are its rows along dim 0).
 * NOTE: a bare Tensor gives TypeScript nothing to infer T from; write `new DataLoader<Tensor>(t)` for typed batches.
 */
export type DatasetLike<T> = Dataset<T> | readonly T[] | Tensor;

/** One source for `zip`: a tensor (rows along dim 0), an array or a Dataset. */
export type Source = Tensor | readonly unknown[] | Dataset<unknown>;
/** The item type one source contributes. */
export type ItemOf<S> = S extends Tensor ? Tensor : S extends Dataset<infer T> ? T : S extends readonly (infer T)[] ? T : never;
type Items<S extends readonly Source[]> = { -readonly [K in keyof S]: ItemOf<S[K]> };

/** Items of one source, typed by what they are. */
export type ZipResult<S extends readonly Source[]> = S extends readonly Tensor[]
  ? TensorDataset<Items<S>>
  : S extends readonly (readonly unknown[])[]
    ? Items<S>[]
    : Dataset<Items<S>>;

function checkIndex(i: number, n: number, what: string): void {
  if (!Number.isInteger(i) || i < -n || i >= n) throw new FastgradError(`${what}: index ${i} is out of range for a dataset of length ${n}`);
}

/**
 * torch.utils.data.TensorDataset: item i is `[t0[i], t1[i], ...]` (views of row i). The DataLoader
 * recognises it and builds each batch with one `indexSelect` per tensor instead of stacking rows.
 */
export class TensorDataset<T extends Tensor[] = Tensor[]> implements Dataset<T> {
  readonly tensors: readonly Tensor[];
  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new FastgradError('TensorDataset: expected at least one tensor');
    tensors.forEach((t, k) => {
      if (!(t instanceof Tensor)) throw new FastgradError(`TensorDataset: argument ${k} is not a Tensor`);
      if (t.ndim === 0) throw new ShapeError(`TensorDataset: tensor ${k} is 0-d; each tensor needs a first (item) dimension`);
    });
    const n = tensors[0]!.shape[0]!;
    tensors.forEach((t, k) => {
      if (t.shape[0] !== n)
        throw new ShapeError(`TensorDataset: size mismatch between tensors: tensor 0 has ${n} items (shape ${fmtShape(tensors[0]!.shape)}) but tensor ${k} has ${t.shape[0]} (shape ${fmtShape(t.shape)})`);
    });
    this.tensors = tensors;
  }
  get length(): number {
    return this.tensors[0]!.shape[0]!;
  }
  get(i: number): T {
    checkIndex(i, this.length, 'TensorDataset');
    return this.tensors.map((t) => t.select(0, i)) as T;
  }
  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0; i < this.length; i++) yield this.get(i);
  }
}

/** A tensor seen as a dataset of its rows; the DataLoader gathers its batches in one `indexSelect`. */
export class RowsDataset implements Dataset<Tensor> {
  constructor(readonly tensor: Tensor) {
    if (tensor.ndim === 0) throw new ShapeError('a 0-d tensor is not a dataset: it has no first (item) dimension');
  }
  get length(): number {
    return this.tensor.shape[0]!;
  }
  get(i: number): Tensor {
    checkIndex(i, this.length, 'dataset');
    return this.tensor.select(0, i);
  }
}

/** Lazy zip of mixed sources (e.g. a tensor of images and an array of label strings). */
class ZipDataset<T extends unknown[]> implements Dataset<T> {
  constructor(private readonly sources: readonly Dataset<unknown>[]) {}
  get length(): number {
    return this.sources[0]!.length;
  }
  get(i: number): T {
    checkIndex(i, this.length, 'zip dataset');
    return this.sources.map((s) => s.get(i)) as T;
  }
  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0; i < this.length; i++) yield this.get(i);
  }
}

/** Any DatasetLike as a Dataset (arrays and tensors wrapped, datasets as they are). */
export function asDataset<T>(ds: DatasetLike<T>): Dataset<T> {
  if (ds instanceof Tensor) return new RowsDataset(ds) as unknown as Dataset<T>;
  if (Array.isArray(ds)) {
    const arr = ds as readonly T[];
    return {
      get length() { return arr.length; },
      get(i: number): T {
        checkIndex(i, arr.length, 'array dataset');
        return arr[i < 0 ? i + arr.length : i]!;
      },
    };
  }
  const d = ds as Dataset<T>;
  if (typeof d !== 'object' || d === null || typeof d.get !== 'function' || !Number.isInteger(d.length) || d.length < 0)
    throw new FastgradError('dataset: expected an array, a Tensor or an object with an integer `length` and a `get(i)` method');
  return d;
}

/**
 * The book's `list(zip(xs, ys))`: item i is `[xs[i], ys[i], ...]`.
 * - all tensors → a TensorDataset (lazy; fast batching),
 * - all arrays → a plain array of tuples (exactly Python's list of zip),
 * - mixed → a lazy Dataset.
 * Unlike Python's zip, sources of different lengths are an error (a silent truncation here is a bug).
 * @example const dset = zip(trainX, trainY); const [x, y] = dset.get(0);
 */
export function zip<S extends readonly Source[]>(...sources: S): ZipResult<S> {
  if (sources.length === 0) throw new FastgradError('zip: expected at least one source');
  const lens = sources.map((s) => (s instanceof Tensor ? (s.ndim === 0 ? -1 : s.shape[0]!) : asDataset(s as DatasetLike<unknown>).length));
  sources.forEach((s, k) => {
    if (lens[k] === -1) throw new ShapeError(`zip: source ${k} is a 0-d tensor; it has no items to zip`);
    if (lens[k] !== lens[0]) {
      const desc = (j: number) => (sources[j] instanceof Tensor ? `a tensor of shape ${fmtShape((sources[j] as Tensor).shape)}` : `${lens[j]} items`);
      throw new ShapeError(`zip: sources differ in length: source 0 has ${lens[0]} items (${desc(0)}) but source ${k} has ${lens[k]} (${desc(k)})`);
    }
  });
  if (sources.every((s) => s instanceof Tensor)) return new TensorDataset(...(sources as readonly Tensor[])) as ZipResult<S>;
  if (sources.every((s) => Array.isArray(s))) {
    const arrs = sources as readonly (readonly unknown[])[];
    return Array.from({ length: lens[0]! }, (_, i) => arrs.map((a) => a[i])) as ZipResult<S>;
  }
  return new ZipDataset(sources.map((s) => asDataset(s as DatasetLike<unknown>))) as unknown as ZipResult<S>;
}
