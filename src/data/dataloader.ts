// DataLoader and DataLoaders (fastai/PyTorch semantics): batches of a dataset, optionally shuffled with a
// seeded generator, collated like torch's default_collate. Tensor datasets take a fast path: one
// indexSelect per field per batch instead of stacking row views one item at a time.
import { nextTurn } from '../backend/event-loop.js';
import { FastgradError } from '../errors.js';
import { fromArray } from '../tensor/creation.js';
import { typedArrayFor } from '../tensor/dtype.js';
import { Generator as RandomGenerator, randperm } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { type Collated, type CollateFn, defaultCollate } from './collate.js';
import { type Dataset, type DatasetLike, RowsDataset, TensorDataset, asDataset } from './dataset.js';
import { checkOptions } from './options.js';

export interface DataLoaderOptions<T, B> {
  /** Items per batch (default 64, fastai's default bs). */
  batchSize?: number;
  /** fastai's name for batchSize. */
  bs?: number;
  /** A new random order every epoch (default false). */
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than batchSize (default false: it is kept). */
  dropLast?: boolean;
  /** Where shuffling draws from (default: the default generator, so `manualSeed(n)` fixes the order). */
  generator?: RandomGenerator;
  /** items → batch (default `defaultCollate`). */
  collate?: CollateFn<T, B>;
}

const LOADER_OPTS = {
  batchSize: 'positiveInt', bs: 'positiveInt', shuffle: 'boolean', dropLast: 'boolean', generator: RandomGenerator, collate: 'function',
} as const;

/**
 * Rows `idx` of `t` along dim 0: `t.indexSelect(0, idx)`, on the device (no read). NOTE: on a backend
 * whose storages are host arrays (`hostArray`: the reference cpu backend), the rows of a whole,
 * contiguous tensor are copied straight out of its array instead (same values, same dtype; about 8x
 * faster than the reference gather kernel).
 */
export function gatherRows(t: Tensor, idx: Int32Array): Tensor {
  const be = t.storage.backend;
  if (be.hostArray && t.isContiguous() && t.offset === 0 && t.numel() === t.storage.size && !t.requiresGrad) {
    const src = be.hostArray(t.storage);
    const row = t.numel() / t.shape[0]!;
    const out = typedArrayFor(t.dtype, idx.length * row);
    for (let k = 0; k < idx.length; k++) out.set(src.subarray(idx[k]! * row, (idx[k]! + 1) * row), k * row);
    return fromArray(out, [idx.length, ...t.shape.slice(1)], { dtype: t.dtype, device: t.device });
  }
  return t.indexSelect(0, fromArray(idx.slice(), [idx.length], { device: t.device }));
}

/** fastai's `first(x)`: the first value of any iterable (a DataLoader's first batch). */
export function first<T>(it: Iterable<T>): T {
  for (const v of it) return v;
  throw new FastgradError('first: the iterable is empty (a DataLoader with no batches?)');
}


/**
 * torch.utils.data.DataLoader / fastai DataLoader. Iterate it (sync `for..of` or `for await`) for one
 * epoch of batches; `length` is the number of batches.
 *
 * NOTE: shuffling draws `randperm(n)` from the generator when an epoch's iterator is created, so with
 * `manualSeed(42)` the first epoch visits items in the order of `randperm(10)` after `manualSeed(42)`.
 * PyTorch's DataLoader draws more: each epoch's iterator first takes a 64-bit base seed from the
 * generator, then its RandomSampler, when no generator is given, takes another 64-bit seed from the
 * default generator and runs randperm on a fresh Generator seeded with it. We chose the direct draw:
 * orders are reproducible for a seed and equal `randperm`'s, but they are not PyTorch's DataLoader orders.
 * @example const dl = new DataLoader(zip(trainX, trainY), {batchSize: 256, shuffle: true}); for (const [xb, yb] of dl) ...
 */
export class DataLoader<T = any, B = Collated<T>> implements Iterable<B>, AsyncIterable<B> {
  readonly dataset: Dataset<T>;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly generator: RandomGenerator | undefined;
  private readonly collateFn: CollateFn<T, B>;
  // Tensors to gather from when the fast path applies (tensor dataset, default collation).
  private readonly fast: { tensors: readonly Tensor[]; single: boolean } | null;

  constructor(dataset: DatasetLike<T>, opts: DataLoaderOptions<T, B> = {}) {
    const o = checkOptions(opts, LOADER_OPTS, 'DataLoader');
    if (o.bs !== undefined && o.batchSize !== undefined && o.bs !== o.batchSize)
      throw new FastgradError(`DataLoader: batchSize (${o.batchSize}) and its alias bs (${o.bs}) disagree; pass one of them`);
    this.dataset = asDataset(dataset);
    this.batchSize = o.batchSize ?? o.bs ?? 64;
    this.shuffle = o.shuffle ?? false;
    this.dropLast = o.dropLast ?? false;
    this.generator = o.generator;
    this.collateFn = opts.collate ?? (defaultCollate as CollateFn<T, B>);
    const ds = this.dataset as unknown;
    this.fast = opts.collate
      ? null
      : ds instanceof TensorDataset
        ? { tensors: ds.tensors, single: false }
        : ds instanceof RowsDataset
          ? { tensors: [ds.tensor], single: true }
          : null;
  }

  /** Number of batches per epoch (torch `len(dl)`). */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The item order of one epoch: 0..n-1, or a fresh permutation drawn from the generator when shuffling. */
  epochOrder(): Int32Array {
    const n = this.dataset.length;
    return this.shuffle ? randperm(n, this.generator) : Int32Array.from({ length: n }, (_, i) => i);
  }

  /** One batch made of the items at `indices` (the fast path for tensor datasets, else get + collate). */
  getBatch(indices: ArrayLike<number>): B {
    if (indices.length === 0) throw new FastgradError('DataLoader.getBatch: expected at least one index');
    if (this.fast) {
      const n = this.dataset.length;
      const idx = Int32Array.from(indices as ArrayLike<number>, (i) => {
        if (!Number.isInteger(i) || i < 0 || i >= n) throw new FastgradError(`DataLoader: index ${i} is out of range for a dataset of length ${n}`);
        return i;
      });
      const outs = this.fast.tensors.map((t) => gatherRows(t, idx));
      return (this.fast.single ? outs[0] : outs) as B;
    }
    const items: T[] = [];
    for (let k = 0; k < indices.length; k++) items.push(this.dataset.get(indices[k]!));
    return this.collateFn(items);
  }

  private *batchesOf(order: Int32Array): IterableIterator<B> {
    const n = order.length, bs = this.batchSize;
    const end = this.dropLast ? n - (n % bs) : n;
    for (let s = 0; s < end; s += bs) yield this.getBatch(order.subarray(s, Math.min(s + bs, n)));
  }

  /** One epoch. The order is drawn here, when the iterator is created (not at the first batch). */
  [Symbol.iterator](): IterableIterator<B> {
    return this.batchesOf(this.epochOrder());
  }

  /** One epoch, yielding to the event loop between batches (for UIs, and backends that read asynchronously). */
  [Symbol.asyncIterator](): AsyncIterableIterator<B> {
    const it = this.batchesOf(this.epochOrder());
    return (async function* () {
      for (const b of it) {
        yield b;
        await nextTurn();
      }
    })();
  }

  /** fastai's `one_batch()`: the first batch of a new epoch (shuffled when `shuffle`, drawing from the generator). */
  oneBatch(): B {
    if (this.length === 0) throw new FastgradError(`DataLoader.oneBatch: this loader has no batches (${this.dataset.length} items, batchSize ${this.batchSize}, dropLast ${this.dropLast})`);
    return first(this);
  }

  /** fastai's `first(dl)`; the same as `oneBatch()`. */
  first(): B {
    return this.oneBatch();
  }
}

export interface FromDatasetsOptions {
  /** Batch size of both loaders (default 64). */
  bs?: number;
  /** Validation batch size (default: bs). */
  validBs?: number;
  /** Shuffle the training loader (default true). */
  shuffleTrain?: boolean;
  /** Drop the training loader's last partial batch (default true, as fastai's from_dsets). */
  dropLastTrain?: boolean;
  generator?: RandomGenerator;
}

const FROM_DS_OPTS = { bs: 'positiveInt', validBs: 'positiveInt', shuffleTrain: 'boolean', dropLastTrain: 'boolean', generator: RandomGenerator } as const;

/** fastai DataLoaders: a training and a validation DataLoader. */
export class DataLoaders<TB = any, VB = TB> {
  constructor(
    readonly train: DataLoader<any, TB>,
    readonly valid: DataLoader<any, VB>,
  ) {
    if (!(train instanceof DataLoader) || !(valid instanceof DataLoader))
      throw new FastgradError(`DataLoaders: expected two DataLoaders (train, valid), got ${[train, valid].map((d) => (d instanceof DataLoader ? 'DataLoader' : typeof d)).join(' and ')}`);
  }
  get loaders(): [DataLoader<any, TB>, DataLoader<any, VB>] {
    return [this.train, this.valid];
  }
  get trainDs(): Dataset<unknown> {
    return this.train.dataset;
  }
  get validDs(): Dataset<unknown> {
    return this.valid.dataset;
  }
  /** The first training batch (fastai `dls.one_batch()`). */
  oneBatch(): TB {
    return this.train.oneBatch();
  }
  /** fastai `first(dls.train)`; the same as `oneBatch()`. */
  first(): TB {
    return this.train.first();
  }

  /**
   * fastai `DataLoaders.from_dsets(train, valid, bs=64)`: the training loader shuffles and drops its last
   * partial batch (fastai's defaults), the validation loader keeps order and every item.
   */
  static fromDatasets<T, V>(trainDs: DatasetLike<T>, validDs: DatasetLike<V>, opts: FromDatasetsOptions = {}): DataLoaders<Collated<T>, Collated<V>> {
    const o = checkOptions(opts, FROM_DS_OPTS, 'DataLoaders.fromDatasets');
    const bs = o.bs ?? 64;
    const train = new DataLoader<T>(trainDs, { batchSize: bs, shuffle: o.shuffleTrain ?? true, dropLast: o.dropLastTrain ?? true, generator: o.generator });
    const valid = new DataLoader<V>(validDs, { batchSize: o.validBs ?? bs });
    return new DataLoaders(train, valid);
  }
}
