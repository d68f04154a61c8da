// fastai's RandomSplitter, seeded exactly as fastai does it (torch.manual_seed then torch.randperm), so the
// same seed gives the same split as the notebook: seed 42 on 891 rows → 713 train / 178 valid.
import { FastgradError } from '../errors.js';
import { type Generator, defaultGenerator, randperm } from '../tensor/random.js';

export interface RandomSplitterOptions {
  /** Fraction of the items for validation (default 0.2). */
  validPct?: number;
  /** When set, reseeds the generator first (fastai: `torch.manual_seed(seed)`, which reseeds the global one). */
  seed?: number;
  /** Generator to draw from (default: the global one, as fastai). */
  generator?: Generator;
}

/** Items to split: a count, an array, or a table (anything with numRows()). */
export type Splittable = number | ArrayLike<unknown> | { numRows(): number };

export type Splitter = (items: Splittable) => [train: number[], valid: number[]];

/**
 * fastai `RandomSplitter(valid_pct=0.2, seed=None)`:
 * `torch.manual_seed(seed); rand_idx = torch.randperm(len(o)); cut = int(valid_pct * len(o)); return rand_idx[cut:], rand_idx[:cut]`.
 * @example const [trn, val] = RandomSplitter({seed: 42})(891); // trn.length 713, val = [303, 778, 531, ...]
 */
export function RandomSplitter(opts: RandomSplitterOptions = {}): Splitter {
  const validPct = opts.validPct ?? 0.2;
  if (!(validPct >= 0 && validPct <= 1)) throw new FastgradError(`RandomSplitter: validPct must be in [0, 1], got ${validPct}`);
  if (opts.seed !== undefined && !Number.isSafeInteger(opts.seed)) throw new FastgradError(`RandomSplitter: seed must be an integer, got ${opts.seed}`);
  return (items) => {
    const n = typeof items === 'number' ? items : 'numRows' in items && typeof items.numRows === 'function' ? items.numRows() : (items as ArrayLike<unknown>).length;
    if (!Number.isSafeInteger(n) || n < 0) throw new FastgradError(`RandomSplitter: expected a count, an array or a table, got ${n} items`);
    const g = opts.generator ?? defaultGenerator;
    if (opts.seed !== undefined) g.manualSeed(opts.seed);
    const idx = Array.from(randperm(n, g));
    const cut = Math.trunc(validPct * n); // Python int() of the float product, as fastai
    return [idx.slice(cut), idx.slice(0, cut)];
  };
}
