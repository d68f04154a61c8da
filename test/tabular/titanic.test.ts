// The Titanic lesson on Kaggle's real files (../shared/data/titanic or $FASTGRAD_DATA/titanic) against the
// notebook's printed numbers and against torch 1.13 running the same steps (tools/golden/titanic.py).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { INDEP_COLS, loadTitanic } from '../../src/book/titanic/data.js';
import { BOOK, firstStep } from '../../src/book/titanic/first-step.js';
import { MODELS, type Split, acc, sigmoid, trainModel } from '../../src/book/titanic/models.js';
import { noGrad } from '../../src/index.js';
import { expectClose } from '../helpers/close.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dataRoot = resolve(repoRoot, process.env.FASTGRAD_DATA ?? '../shared/data');
const dir = [join(dataRoot, 'titanic'), dataRoot].find((d) => existsSync(join(d, 'train.csv')) && existsSync(join(d, 'test.csv')));
const title = dir ? `Titanic from scratch on ${dir}` : `Titanic from scratch (skipped: no train.csv/test.csv in ${dataRoot}/titanic; set FASTGRAD_DATA)`;

interface GoldenStage { name: string; accuracy: number; losses: number[]; coeffs: number[][]; lossesLr1_4?: number[] }
const golden = JSON.parse(readFileSync(join(repoRoot, 'test/golden/titanic.json'), 'utf8')) as {
  rows: number; missing: Record<string, number>; colMax: number[]; firstCoeffs: number[]; firstLoss: number; firstGrad: number[];
  lossAfterStep: number; split: { trainIdx: number[]; validIdx: number[] }; stages: GoldenStage[];
  submission: { passengerIds: number[]; survived: number[] };
};
// Targets from the issue: linear >= 0.78, the others >= 0.81.
const TARGET: Record<string, number> = { linear: 0.78, sigmoid: 0.81, matrix: 0.81, 'neural-net': 0.81, deep: 0.81 };
// The notebook's printout of train_model(18, lr=0.2).
const BOOK_LINEAR_LOSSES = '0.536; 0.502; 0.477; 0.454; 0.431; 0.409; 0.388; 0.367; 0.349; 0.336; 0.330; 0.326; 0.329; 0.304; 0.314; 0.296; 0.300; 0.289';

describe.skipIf(!dir)(title, () => {
  // NOTE: a skipped describe still runs its body to collect tests, so load only when the data exists.
  const d = dir ? loadTitanic(dir) : (undefined as unknown as ReturnType<typeof loadTitanic>);
  const s: Split = dir
    ? { trnIndep: d.tIndep.get(d.trnSplit), valIndep: d.tIndep.get(d.valSplit), trnDep: d.tDep.get(d.trnSplit), valDep: d.tDep.get(d.valSplit) }
    : (undefined as unknown as Split);

  it('reads 891 rows with 177 missing ages, fills with the modes and builds the 12 inputs', () => {
    expect(d.raw.numRows()).toBe(891);
    expect(d.missing).toEqual(golden.missing);
    expect(d.missing.Age).toBe(177);
    expect([d.modes.Age, d.modes.Embarked]).toEqual([24, 'S']);
    expect(d.tIndepRaw.shape).toEqual([891, 12]);
    expect(d.tIndep.dtype).toBe('float32');
    expect(d.vals.tolist()).toEqual(golden.colMax); // bit-identical maxima (LogFare's too)
    expect(INDEP_COLS.slice(0, 5)).toEqual(['Age', 'SibSp', 'Parch', 'LogFare', 'Sex_male']);
    expect(d.test.passengerIds).toEqual(golden.submission.passengerIds);
    expect(d.test.tstIndep.shape).toEqual([418, 12]);
  });

  it('splits 713 / 178 exactly as fastai RandomSplitter(seed=42) with torch', () => {
    expect([d.trnSplit.length, d.valSplit.length]).toEqual([BOOK.split.train, BOOK.split.valid]);
    expect(d.valSplit).toEqual(golden.split.validIdx);
    expect(d.trnSplit).toEqual(golden.split.trainIdx);
  });

  it("reproduces the notebook's first coefficients, loss 0.5382 and 0.4945 after one step", () => {
    const f = firstStep(d.tIndep, d.tDep);
    expect(f.coeffs.map((c) => Number(c.toFixed(4)))).toEqual(BOOK.firstCoeffs);
    expect(f.coeffs).toEqual(golden.firstCoeffs); // bit-identical to torch.rand after manual_seed(442)
    expect(f.loss.toFixed(4)).toBe('0.5382');
    expect(f.lossAfterStep.toFixed(4)).toBe('0.4945');
    expectClose(f.loss, golden.firstLoss, 1e-7, 0);
    expectClose(f.grad, golden.firstGrad, 1e-7, 0);
    expectClose(f.lossAfterStep, golden.lossAfterStep, 1e-7, 0);
  });

  it("prints the notebook's losses for the linear model", () => {
    const { losses } = trainModel(MODELS[0]!, s, 0.2);
    expect(losses.map((l) => l.toFixed(3)).join('; ')).toBe(BOOK_LINEAR_LOSSES);
  });

  for (const [i, m] of MODELS.entries()) {
    it(`${m.name}: accuracy equals torch's and the notebook's, losses and weights match torch`, () => {
      const g = golden.stages[i]!;
      expect(g.name).toBe(m.name);
      const runs = m.lrs.map((lr) => trainModel(m, s, lr));
      const last = runs.at(-1)!;
      const accuracy = acc(m, last.coeffs, s);
      expect(accuracy).toBeGreaterThanOrEqual(TARGET[m.name]!);
      expect(accuracy).toBe(g.accuracy); // 140/178 and 147/178: the same predictions as torch
      expect(accuracy.toFixed(4)).toBe(m.bookAccuracy.toFixed(4));
      // NOTE: float32 sums in another order differ in the last bits; lr 100 amplifies that in the weights.
      expectClose(last.losses, g.losses, 1e-6, 0);
      if (g.lossesLr1_4) expectClose(runs[0]!.losses, g.lossesLr1_4, 1e-6, 0);
      expectClose(last.coeffs.flatMap((c) => c.reshape([-1]).tolist() as number[]), g.coeffs.flat(), 5e-5, 1e-5);
    });
  }

  it("predicts the same test.csv submission as torch (the notebook's sigmoid model)", () => {
    const { coeffs } = trainModel(sigmoid, s, 100);
    const pred = noGrad(() => sigmoid.preds(coeffs, d.test.tstIndep).gt(0.5).int().tolist() as number[]);
    expect(pred).toEqual(golden.submission.survived);
  });
});
