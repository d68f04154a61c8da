import { describe, expect, it } from 'vitest';
import { Generator, type Tensor, arange, manualSeed, randn, randperm, tensor, zeros } from '../../src/index.js';
import {
  DataLoader, DataLoaders, TensorDataset, defaultCollate, first, gatherRows, zip,
} from '../../src/data/index.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const flat = (batches: Iterable<Tensor>): number[] => [...batches].flatMap((b) => b.tolist() as number[]);

describe('Dataset and zip', () => {
  it('zips two tensors into a lazy TensorDataset of row pairs', () => {
    const xs = arange(12).reshape(6, 2), ys = arange(6);
    const ds = zip(xs, ys);
    expect(ds).toBeInstanceOf(TensorDataset);
    expect(ds.length).toBe(6);
    const [x, y] = ds.get(2);
    expect(x.tolist()).toEqual([4, 5]);
    expect(y.item()).toBe(2);
    expect([...ds].length).toBe(6);
  });
  it('zips arrays into a plain array of tuples (list(zip(...)))', () => {
    expect(zip([1, 2, 3], ['a', 'b', 'c'])).toEqual([[1, 'a'], [2, 'b'], [3, 'c']]);
  });
  it('zips mixed sources lazily', () => {
    const ds = zip(arange(3), ['a', 'b', 'c']);
    const [x, s] = ds.get(1);
    expect([(x as Tensor).item(), s]).toEqual([1, 'b']);
  });
  it('rejects sources of different lengths and out-of-range indices', () => {
    expect(() => zip(zeros([3, 2]), zeros([4]))).toThrow(/source 0 has 3 items .* source 1 has 4/);
    expect(() => zip(arange(3), arange(3)).get(3)).toThrow(/index 3 is out of range for a dataset of length 3/);
  });
});

describe('DataLoader batching', () => {
  it('keeps the last partial batch by default; length counts it', () => {
    const dl = new DataLoader(range(10), { batchSize: 4 });
    expect(dl.length).toBe(3);
    const bs = [...dl];
    expect(bs.map((b) => b.tolist())).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  });
  it('dropLast drops it', () => {
    const dl = new DataLoader(range(10), { batchSize: 4, dropLast: true });
    expect(dl.length).toBe(2);
    expect([...dl].map((b) => b.tolist())).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
    expect(new DataLoader(range(8), { batchSize: 4, dropLast: true }).length).toBe(2);
  });
  it('defaults to batch size 64 and accepts fastai bs', () => {
    expect(new DataLoader(range(130)).length).toBe(3);
    expect(new DataLoader(range(130), { bs: 100 }).batchSize).toBe(100);
  });
  it('iterates a bare tensor by rows (the book DataLoader(range(15)))', () => {
    const dl = new DataLoader<Tensor>(arange(15), { batchSize: 5 });
    expect([...dl].map((b) => b.tolist())).toEqual([range(5), range(10).slice(5), range(15).slice(10)]);
  });
  it('is async iterable with the same batches', async () => {
    const dl = new DataLoader(range(7), { batchSize: 3 });
    const got: number[][] = [];
    for await (const b of dl) got.push(b.tolist() as number[]);
    expect(got).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });
  it('validates options with clear messages', () => {
    expect(() => new DataLoader(range(3), { batchSize: 0 })).toThrow(/DataLoader: invalid option 'batchSize'/);
    expect(() => new DataLoader(range(3), { batch_size: 2 } as never)).toThrow(/Unrecognized key.*batch_size/);
    expect(() => new DataLoader(range(3), { batchSize: 2, bs: 3 })).toThrow(/disagree/);
    expect(() => new DataLoader({} as never)).toThrow(/expected an array, a Tensor or an object/);
  });
});

describe('default collation', () => {
  it('stacks tensors', () => {
    const b = defaultCollate([tensor([1, 2]), tensor([3, 4])]);
    expect(b.shape).toEqual([2, 2]);
    expect(b.tolist()).toEqual([[1, 2], [3, 4]]);
  });
  it('numbers: ints → int32, any float → float32; booleans → bool', () => {
    const i = defaultCollate([1, 2, 3]);
    expect([i.dtype, i.tolist()]).toEqual(['int32', [1, 2, 3]]);
    const f = defaultCollate([1, 2.5]);
    expect([f.dtype, f.tolist()]).toEqual(['float32', [1, 2.5]]);
    const b = defaultCollate([true, false]);
    expect([b.dtype, b.tolist()]).toEqual(['bool', [true, false]]);
  });
  it('strings → array of strings; tuples → per field; objects → per key', () => {
    expect(defaultCollate(['a', 'b'])).toEqual(['a', 'b']);
    const [n, s] = defaultCollate([[0, 'a'], [1, 'b']] as [number, string][]);
    expect([n.tolist(), s]).toEqual([[0, 1], ['a', 'b']]);
    const o = defaultCollate([{ x: tensor([1.5]), y: 1 }, { x: tensor([2.5]), y: 0 }]);
    expect([o.x.tolist(), o.y.tolist()]).toEqual([[[1.5], [2.5]], [1, 0]]);
    const t = defaultCollate([Float32Array.of(1, 2), Float32Array.of(3, 4)]);
    expect([t.dtype, t.tolist()]).toEqual(['float32', [[1, 2], [3, 4]]]);
  });
  it('the book example: enumerate(ascii_lowercase) in batches of 6', () => {
    const ds = [...'abcdefghijklmnopqrstuvwxyz'].map((c, i) => [i, c] as [number, string]);
    const batches = [...new DataLoader(ds, { batchSize: 6 })];
    expect(batches.length).toBe(5);
    expect(batches[0]![1]).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(batches[4]![0].tolist()).toEqual([24, 25]);
  });
  it('names the position of a bad field', () => {
    expect(() => defaultCollate([tensor([1, 2]), tensor([1, 2, 3])])).toThrow(/batch: item 0 has shape \[2\] but item 1 has shape \[3\]/);
    expect(() => defaultCollate([[1, 'a'], [2, 3]])).toThrow(/batch\[1\]: item 0 is string a but item 1 is number 3/);
    expect(() => defaultCollate([new Map()])).toThrow(/batch holds an object of class Map/);
  });
});

describe('seeded shuffle', () => {
  it("the first epoch's order equals randperm(n) after the same manualSeed", () => {
    manualSeed(42);
    const expected = randperm(10).tolist();
    manualSeed(42);
    const dl = new DataLoader(range(10), { batchSize: 3, shuffle: true });
    expect(flat(dl)).toEqual(expected);
  });
  it('same seed → same orders; each epoch differs; every item once', () => {
    const run = () => {
      manualSeed(7);
      const dl = new DataLoader(range(50), { batchSize: 8, shuffle: true });
      return [flat(dl), flat(dl)];
    };
    const [a1, a2] = run();
    const [b1, b2] = run();
    expect(a1).toEqual(b1);
    expect(a2).toEqual(b2);
    expect(a1).not.toEqual(a2);
    expect([...a1].sort((x, y) => x - y)).toEqual(range(50));
  });
  it('an explicit generator is used instead of the default one', () => {
    const g = new Generator(123);
    const expected = randperm(20, { generator: new Generator(123) }).tolist();
    manualSeed(0);
    const dl = new DataLoader(range(20), { batchSize: 20, shuffle: true, generator: g });
    expect(flat(dl)).toEqual(expected);
  });
  it('the order is drawn when the epoch iterator is created', () => {
    manualSeed(3);
    const dl = new DataLoader(range(10), { batchSize: 10, shuffle: true });
    const it1 = dl[Symbol.iterator]();
    manualSeed(99); // does not affect the epoch already started
    manualSeed(3);
    expect((it1.next().value as Tensor).tolist()).toEqual(randperm(10).tolist());
  });
});

describe('tensor fast path', () => {
  const xs = randn([37, 3, 4]), ys = arange(37);
  const rows = (ds: TensorDataset) => range(ds.length).map((i) => ds.get(i));
  it('equals the slow path (get + stack) on a shuffled epoch', () => {
    manualSeed(5);
    const fast = [...new DataLoader(zip(xs, ys), { batchSize: 8, shuffle: true })];
    manualSeed(5);
    const slow = [...new DataLoader(rows(zip(xs, ys)), { batchSize: 8, shuffle: true })];
    expect(fast.length).toBe(5);
    fast.forEach(([x, y], k) => {
      expect(x.shape).toEqual(slow[k]![0].shape);
      expect(x.tolist()).toEqual(slow[k]![0].tolist());
      expect([y.dtype, y.tolist()]).toEqual([slow[k]![1].dtype, slow[k]![1].tolist()]);
    });
  });
  it('gathers non-contiguous and bool tensors too (indexSelect route)', () => {
    const idx = Int32Array.of(4, 0, 2);
    const t = randn([5, 6]).t(); // [6, 5], non-contiguous
    expect(gatherRows(t, idx).tolist()).toEqual([4, 0, 2].map((i) => t.get(i).tolist()));
    const m = randn([5, 2]).gt(0);
    const g = gatherRows(m, idx);
    expect([g.dtype, g.tolist()]).toEqual(['bool', [4, 0, 2].map((i) => m.get(i).tolist())]);
  });
  it('a custom collate turns the fast path off', () => {
    const dl = new DataLoader(zip(xs, ys), { batchSize: 4, collate: (items) => items.length });
    expect([...dl].slice(-1)).toEqual([1]);
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

describe('DataLoaders', () => {
  it('holds train/valid; oneBatch and first give the first train batch', () => {
    const train = new DataLoader(range(10), { batchSize: 4 }), valid = new DataLoader(range(4), { batchSize: 2 });
    const dls = new DataLoaders(train, valid);
    expect(dls.train).toBe(train);
    expect(dls.valid).toBe(valid);
    expect(dls.oneBatch().tolist()).toEqual([0, 1, 2, 3]);
    expect(dls.first().tolist()).toEqual([0, 1, 2, 3]);
    expect(first(valid).tolist()).toEqual([0, 1]);
    expect(() => new DataLoaders(train, range(3) as never)).toThrow(/expected two DataLoaders/);
  });
  it('fromDatasets: train shuffled and drops its partial batch (fastai), valid in order and whole', () => {
    const g = new Generator(1);
    const dls = DataLoaders.fromDatasets(zip(arange(10), arange(10)), zip(arange(5), arange(5)), { bs: 4, generator: g });
    expect(dls.train.length).toBe(2);
    expect(dls.valid.length).toBe(2);
    expect(dls.train.shuffle).toBe(true);
    const [x, y] = dls.oneBatch();
    expect(x.tolist()).toEqual(y.tolist());
    expect(x.tolist()).toEqual((randperm(10, { generator: new Generator(1) }).tolist() as number[]).slice(0, 4));
    expect([...dls.valid].map(([v]) => v.tolist())).toEqual([[0, 1, 2, 3], [4]]);
    const keep = DataLoaders.fromDatasets(range(10), range(5), { bs: 4, shuffleTrain: false, dropLastTrain: false });
    expect(flat(keep.train)).toEqual(range(10));
    expect(() => DataLoaders.fromDatasets(range(2), range(2), { bs: -1 })).toThrow(/fromDatasets: invalid option 'bs'/);
  });
});
