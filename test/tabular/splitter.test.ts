// fastai's RandomSplitter against torch: torch.manual_seed(42); torch.randperm(891) (tools/golden/titanic.py).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Generator, rand, tabular } from '../../src/node.js';

const golden = JSON.parse(readFileSync(new URL('../golden/titanic.json', import.meta.url), 'utf8')) as {
  split: { trainIdx: number[]; validIdx: number[] };
};

describe('RandomSplitter', () => {
  it('seed 42 on 891 items: 713 train / 178 valid, exactly torch.randperm(891)[178:], [:178]', () => {
    const [trn, val] = tabular.RandomSplitter({ validPct: 0.2, seed: 42 })(891);
    expect([trn.length, val.length]).toEqual([713, 178]);
    expect(val.slice(0, 10)).toEqual([303, 778, 531, 385, 134, 476, 691, 443, 386, 128]); // torch 1.13 printout
    expect(val).toEqual(golden.split.validIdx);
    expect(trn).toEqual(golden.split.trainIdx);
  });

  it('takes a count, an array or a table; cut = int(valid_pct * n); every index once', () => {
    const s = tabular.RandomSplitter({ seed: 42 });
    expect(s(Array(891).fill(0))).toEqual(s(891));
    expect(s(tabular.readCsv('a\n1\n2\n3\n4\n5\n'))).toEqual(s(5));
    const [t, v] = tabular.RandomSplitter({ validPct: 0.25, seed: 1 })(10);
    expect(v).toHaveLength(2); // int(2.5)
    expect([...t, ...v].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(tabular.RandomSplitter({ seed: 0 })(0)).toEqual([[], []]);
  });

  it('reseeds the global generator as fastai does; without a seed it draws on', () => {
    tabular.RandomSplitter({ seed: 42 })(891);
    const after = rand([3]).tolist();
    tabular.RandomSplitter({ seed: 42 })(891);
    expect(rand([3]).tolist()).toEqual(after);
    const g = new Generator(42);
    expect(tabular.RandomSplitter({ generator: g })(891)[1]).toEqual(golden.split.validIdx);
    expect(tabular.RandomSplitter({ generator: g })(891)[1]).not.toEqual(golden.split.validIdx);
  });

  it('rejects a bad validPct, seed or item count', () => {
    expect(() => tabular.RandomSplitter({ validPct: 1.5 })).toThrow(/validPct must be in \[0, 1\], got 1.5/);
    expect(() => tabular.RandomSplitter({ seed: 0.5 })).toThrow(/seed must be an integer/);
    expect(() => tabular.RandomSplitter()(-1)).toThrow(/expected a count/);
  });
});
