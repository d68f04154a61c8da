import { expect, it, vi } from 'vitest';
import { Generator, Tensor, arange, getBackend, manualSeed, randn, randperm, tensor, zeros } from '../../src/index.js';
import {
  DataLoader, DataLoaders, TensorDataset, defaultCollate, first, gatherRows, zip,
} from '../../src/data/index.js';
import { describeBackends } from '../helpers/backends.js';
import { val, vals } from '../helpers/read.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
/** The values of every batch, concatenated (awaited reads). */
const flat = async (batches: Iterable<Tensor>): Promise<number[]> => (await lists([...batches])).flat() as number[];
const lists = (ts: readonly Tensor[]) => Promise.all(ts.map(vals));

describeBackends('Dataset and zip', () => {
  it('zips two tensors into a lazy TensorDataset of row pairs', async () => {
    const xs = arange(12).reshape(6, 2), ys = arange(6);
    const ds = zip(xs, ys);
    expect(ds).toBeInstanceOf(TensorDataset);
    expect(ds.length).toBe(6);
    const [x, y] = ds.get(2);
    expect(await vals(x)).toEqual([4, 5]);
    expect(await val(y)).toBe(2);
    expect([...ds].length).toBe(6);
  });
  it('zips arrays into a plain array of tuples (list(zip(...)))', () => {
    expect(zip([1, 2, 3], ['a', 'b', 'c'])).toEqual([[1, 'a'], [2, 'b'], [3, 'c']]);
  });
  it('zips mixed sources lazily', async () => {
    const ds = zip(arange(3), ['a', 'b', 'c']);
    const [x, s] = ds.get(1);
    expect([await val(x as Tensor), s]).toEqual([1, 'b']);
  });
  it('rejects sources of different lengths and out-of-range indices', () => {
    expect(() => zip(zeros([3, 2]), zeros([4]))).toThrow(/source 0 has 3 items .* source 1 has 4/);
    expect(() => zip(arange(3), arange(3)).get(3)).toThrow(/index 3 is out of range for a dataset of length 3/);
  });
});

describeBackends('DataLoader batching', () => {
  it('keeps the last partial batch by default; length counts it', async () => {
    const dl = new DataLoader(range(10), { batchSize: 4 });
    expect(dl.length).toBe(3);
    const bs = [...dl];
    expect(await lists(bs)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  });
  it('dropLast drops it', async () => {
    const dl = new DataLoader(range(10), { batchSize: 4, dropLast: true });
    expect(dl.length).toBe(2);
    expect(await lists([...dl])).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
    expect(new DataLoader(range(8), { batchSize: 4, dropLast: true }).length).toBe(2);
  });
  it('defaults to batch size 64 and accepts fastai bs', () => {
    expect(new DataLoader(range(130)).length).toBe(3);
    expect(new DataLoader(range(130), { bs: 100 }).batchSize).toBe(100);
  });
  it('iterates a bare tensor by rows (the book DataLoader(range(15)))', async () => {
    const dl = new DataLoader<Tensor>(arange(15), { batchSize: 5 });
    expect(await lists([...dl])).toEqual([range(5), range(10).slice(5), range(15).slice(10)]);
  });
  it('is async iterable with the same batches', async () => {
    const dl = new DataLoader(range(7), { batchSize: 3 });
    const got: number[][] = [];
    for await (const b of dl) got.push((await vals(b)) as number[]);
    expect(got).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });
  it('validates options with clear messages', () => {
    expect(() => new DataLoader(range(3), { batchSize: 0 })).toThrow(/DataLoader: invalid option 'batchSize'/);
    expect(() => new DataLoader(range(3), { batch_size: 2 } as never)).toThrow(/Unrecognized key.*batch_size/);
    expect(() => new DataLoader(range(3), { batchSize: 2, bs: 3 })).toThrow(/disagree/);
    expect(() => new DataLoader({} as never)).toThrow(/expected an array, a Tensor or an object/);
  });
});

describeBackends('default collation', () => {
  it('stacks tensors', async () => {
    const b = defaultCollate([tensor([1, 2]), tensor([3, 4])]);
    expect(b.shape).toEqual([2, 2]);
    expect(await vals(b)).toEqual([[1, 2], [3, 4]]);
  });
  it('numbers: ints → int32, any float → float32; booleans → bool', async () => {
    const i = defaultCollate([1, 2, 3]);
    expect([i.dtype, await vals(i)]).toEqual(['int32', [1, 2, 3]]);
    const f = defaultCollate([1, 2.5]);
    expect([f.dtype, await vals(f)]).toEqual(['float32', [1, 2.5]]);
    const b = defaultCollate([true, false]);
    expect([b.dtype, await vals(b)]).toEqual(['bool', [true, false]]);
  });
  it('strings → array of strings; tuples → per field; objects → per key', async () => {
    expect(defaultCollate(['a', 'b'])).toEqual(['a', 'b']);
    const [n, s] = defaultCollate([[0, 'a'], [1, 'b']] as [number, string][]);
    expect([await vals(n), s]).toEqual([[0, 1], ['a', 'b']]);
    const o = defaultCollate([{ x: tensor([1.5]), y: 1 }, { x: tensor([2.5]), y: 0 }]);
    expect(await lists([o.x, o.y])).toEqual([[[1.5], [2.5]], [1, 0]]);
    const t = defaultCollate([Float32Array.of(1, 2), Float32Array.of(3, 4)]);
    expect([t.dtype, await vals(t)]).toEqual(['float32', [[1, 2], [3, 4]]]);
  });
  it('the book example: enumerate(ascii_lowercase) in batches of 6', async () => {
    const ds = [...'abcdefghijklmnopqrstuvwxyz'].map((c, i) => [i, c] as [number, string]);
    const batches = [...new DataLoader(ds, { batchSize: 6 })];
    expect(batches.length).toBe(5);
    expect(batches[0]![1]).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(await vals(batches[4]![0])).toEqual([24, 25]);
  });
  it('names the position of a bad field', () => {
    expect(() => defaultCollate([tensor([1, 2]), tensor([1, 2, 3])])).toThrow(/batch: item 0 has shape \[2\] but item 1 has shape \[3\]/);
    expect(() => defaultCollate([[1, 'a'], [2, 3]])).toThrow(/batch\[1\]: item 0 is string a but item 1 is number 3/);
    expect(() => defaultCollate([new Map()])).toThrow(/batch holds an object of class Map/);
  });
});

describeBackends('seeded shuffle', () => {
  it("the first epoch's order equals randperm(n) after the same manualSeed", async () => {
    manualSeed(42);
    const expected = await vals(randperm(10));
    manualSeed(42);
    const dl = new DataLoader(range(10), { batchSize: 3, shuffle: true });
    expect(await flat(dl)).toEqual(expected);
  });
  it('same seed → same orders; each epoch differs; every item once', async () => {
    const run = async () => {
      manualSeed(7);
      const dl = new DataLoader(range(50), { batchSize: 8, shuffle: true });
      return [await flat(dl), await flat(dl)] as const;
    };
    const [a1, a2] = await run();
    const [b1, b2] = await run();
    expect(a1).toEqual(b1);
    expect(a2).toEqual(b2);
    expect(a1).not.toEqual(a2);
    expect([...a1].sort((x, y) => x - y)).toEqual(range(50));
  });
  it('an explicit generator is used instead of the default one', async () => {
    const g = new Generator(123);
    const expected = await vals(randperm(20, { generator: new Generator(123) }));
    manualSeed(0);
    const dl = new DataLoader(range(20), { batchSize: 20, shuffle: true, generator: g });
    expect(await flat(dl)).toEqual(expected);
  });
  it('the order is drawn when the epoch iterator is created', async () => {
    manualSeed(3);
    const dl = new DataLoader(range(10), { batchSize: 10, shuffle: true });
    const it1 = dl[Symbol.iterator]();
    manualSeed(99); // does not affect the epoch already started
    manualSeed(3);
    expect(await vals(it1.next().value as Tensor)).toEqual(await vals(randperm(10)));
  });
});

describeBackends('tensor fast path', (device) => {
  const rows = (ds: TensorDataset) => range(ds.length).map((i) => ds.get(i));
  it('equals the slow path (get + stack) on a shuffled epoch', async () => {
    const xs = randn([37, 3, 4]), ys = arange(37);
    manualSeed(5);
    const fast = [...new DataLoader(zip(xs, ys), { batchSize: 8, shuffle: true })];
    manualSeed(5);
    const slow = [...new DataLoader(rows(zip(xs, ys)), { batchSize: 8, shuffle: true })];
    expect(fast.length).toBe(5);
    for (const [k, [x, y]] of fast.entries()) {
      expect(x.shape).toEqual(slow[k]![0].shape);
      expect(await vals(x)).toEqual(await vals(slow[k]![0]));
      expect([y.dtype, await vals(y)]).toEqual([slow[k]![1].dtype, await vals(slow[k]![1])]);
    }
  });
  it('gathers non-contiguous and bool tensors too (indexSelect route)', async () => {
    const idx = Int32Array.of(4, 0, 2);
    const t = randn([5, 6]).t(); // [6, 5], non-contiguous
    expect(await vals(gatherRows(t, idx))).toEqual(await lists([4, 0, 2].map((i) => t.get(i))));
    const m = randn([5, 2]).gt(0);
    const g = gatherRows(m, idx);
    expect([g.dtype, await vals(g)]).toEqual(['bool', await lists([4, 0, 2].map((i) => m.get(i)))]);
  });
  it('a custom collate turns the fast path off', () => {
    const dl = new DataLoader(zip(randn([37, 3, 4]), arange(37)), { batchSize: 4, collate: (items) => items.length });
    expect([...dl].slice(-1)).toEqual([1]);
  });
  it('copies rows on the host only where storages are host arrays (hostArray: cpu), else indexSelect on the device', async () => {
    const spy = vi.spyOn(Tensor.prototype, 'indexSelect');
    try {
      const rowsOf = gatherRows(arange(12).reshape(6, 2), Int32Array.of(1, 3));
      expect(await vals(rowsOf)).toEqual([[2, 3], [6, 7]]);
      expect(rowsOf.device).toBe(device);
      expect(spy).toHaveBeenCalledTimes(getBackend(device).hostArray ? 0 : 1);
    } finally {
      spy.mockRestore();
    }
  });
  it('an MNIST-sized epoch is quick on the reference backend', () => {
    const x = zeros([12396, 784]), y = zeros([12396, 1]);
    const dl = new DataLoader(zip(x, y), { batchSize: 256, shuffle: true });
    const t0 = performance.now();
    let n = 0;
    for (const [xb] of dl) n += xb.shape[0]!;
    const ms = performance.now() - t0;
    expect(n).toBe(12396);
    expect(ms).toBeLessThan(3000); // typically ~10-50 ms; the bound only catches a per-item path
  });
});

describeBackends('DataLoaders', () => {
  it('holds train/valid; oneBatch and first give the first train batch', async () => {
    const train = new DataLoader(range(10), { batchSize: 4 }), valid = new DataLoader(range(4), { batchSize: 2 });
    const dls = new DataLoaders(train, valid);
    expect(dls.train).toBe(train);
    expect(dls.valid).toBe(valid);
    expect(await vals(dls.oneBatch())).toEqual([0, 1, 2, 3]);
    expect(await vals(dls.first())).toEqual([0, 1, 2, 3]);
    expect(await vals(first(valid))).toEqual([0, 1]);
    expect(() => new DataLoaders(train, range(3) as never)).toThrow(/expected two DataLoaders/);
  });
  it('fromDatasets: train shuffled and drops its partial batch (fastai), valid in order and whole', async () => {
    const g = new Generator(1);
    const dls = DataLoaders.fromDatasets(zip(arange(10), arange(10)), zip(arange(5), arange(5)), { bs: 4, generator: g });
    expect(dls.train.length).toBe(2);
    expect(dls.valid.length).toBe(2);
    expect(dls.train.shuffle).toBe(true);
    const [x, y] = dls.oneBatch();
    expect(await vals(x)).toEqual(await vals(y));
    expect(await vals(x)).toEqual(((await vals(randperm(10, { generator: new Generator(1) }))) as number[]).slice(0, 4));
    expect(await lists([...dls.valid].map(([v]) => v))).toEqual([[0, 1, 2, 3], [4]]);
    const keep = DataLoaders.fromDatasets(range(10), range(5), { bs: 4, shuffleTrain: false, dropLastTrain: false });
    expect(await flat(keep.train)).toEqual(range(10));
    expect(() => DataLoaders.fromDatasets(range(2), range(2), { bs: -1 })).toThrow(/fromDatasets: invalid option 'bs'/);
  });
});
