// `fastgrad titanic`: the course22 lesson "Linear model and neural net from scratch" step by step, each number
// printed beside the notebook's; writes results.json + index.html (viz.writeReport) and a Kaggle submission.
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BOOK, type FirstStep, firstStep } from '../book/titanic/first-step.js';
import { INDEP_COLS, type TitanicData, findTitanicDir, loadTitanic } from '../book/titanic/data.js';
import { MODELS, type Model, type Split, acc, sigmoid, trainModel } from '../book/titanic/models.js';
import { type Tensor, errors, noGrad } from '../node.js';
import { lineSpec, writeFileAtomic, writeReport } from '../viz/node.js';

export interface TitanicOptions {
  /** Folder with train.csv and test.csv, or its parent holding titanic/ (default $FASTGRAD_DATA). */
  data?: string;
  /** Output folder (default runs/titanic-<timestamp>/). */
  out?: string;
  /** train_model's torch.manual_seed (the notebook: 442). */
  seed?: number;
  /** RandomSplitter's seed (the notebook: 42). */
  splitSeed?: number;
  quiet?: boolean;
  log?: (line: string) => void;
  /** Models to train (default all five). */
  models?: readonly Model[];
}

export interface ModelResult {
  name: string;
  accuracy: number;
  bookAccuracy: number;
  seconds: number;
  seed: number;
  lrs: number[];
  /** Per train_model call (one per lr), the loss of each epoch. */
  losses: number[][];
}

export interface TitanicRun {
  first: FirstStep;
  stages: ModelResult[];
  split: { train: number; valid: number };
  outDir: string;
  resultsPath: string;
  htmlPath: string;
  submissionPath: string;
  totalSeconds: number;
}

const f4 = (x: number): string => x.toFixed(4);
const row = (label: string, ours: number, book: number, w = 26): string => `  ${label.padEnd(w)}${f4(ours)} | ${f4(book)}`;
const stamp = (d: Date): string => d.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
function freshRunDir(d: Date): string {
  const base = resolve('runs', `titanic-${stamp(d)}`);
  for (let k = 2, dir = base; ; dir = `${base}-${k++}`) if (!existsSync(dir)) return dir;
}
const shown = (p: string): string => (relative(process.cwd(), p).startsWith('..') ? p : relative(process.cwd(), p));

/** trn_indep,val_indep = t_indep[trn_split],t_indep[val_split] (and the targets). */
function split(d: TitanicData): Split {
  return {
    trnIndep: d.tIndep.get(d.trnSplit), valIndep: d.tIndep.get(d.valSplit),
    trnDep: d.tDep.get(d.trnSplit), valDep: d.tDep.get(d.valSplit),
  };
}

/** `(calc_preds(tst_indep, coeffs)>0.5).int()` as `PassengerId,Survived` lines (pandas to_csv, LF). */
function submissionCsv(m: Model, coeffs: Tensor[], d: TitanicData): { csv: string; survived: number } {
  const preds = noGrad(() => m.preds(coeffs, d.test.tstIndep).gt(0.5).int().reshape([-1]).tolist() as number[]);
  const lines = preds.map((p, i) => `${d.test.passengerIds[i]},${p}`);
  return { csv: ['PassengerId,Survived', ...lines].join('\n') + '\n', survived: preds.reduce((a, b) => a + b, 0) };
}

export async function runTitanic(opts: TitanicOptions = {}): Promise<TitanicRun> {
  const t0 = performance.now();
  const seed = opts.seed ?? 442, splitSeed = opts.splitSeed ?? 42;
  for (const [k, v] of [['--seed', seed], ['--split-seed', splitSeed]] as const)
    if (!Number.isSafeInteger(v) || v < 0) throw new errors.ArgumentError(`${k} must be a non-negative integer, got ${v}`);
  const log = opts.quiet ? () => {} : (opts.log ?? ((line: string) => console.log(line)));
  const createdAt = new Date();
  const dir = findTitanicDir(opts.data);

  const d = loadTitanic(dir, splitSeed);
  const dataSeconds = (performance.now() - t0) / 1000;
  const miss = (m: Record<string, number>): string => Object.entries(m).filter(([, n]) => n > 0).map(([c, n]) => `${c} ${n}`).join(', ');
  log('fastgrad titanic: course22 "Linear model and neural net from scratch", ours | book');
  log(`data: ${dir} (train.csv ${d.raw.numRows()} rows, test.csv ${d.test.passengerIds.length} rows; read in ${dataSeconds.toFixed(2)} s)`);
  log(`missing in train.csv: ${miss(d.missing)}; filled with the modes (Age ${d.modes.Age}, Embarked ${d.modes.Embarked}, Cabin ${d.modes.Cabin})`);
  log(`missing in test.csv: ${miss(d.test.missing)}; Fare -> 0, the rest with the train modes`);
  log(`inputs: ${INDEP_COLS.join(', ')}`);
  log(`  divided by their maxima: ${(d.vals.tolist() as number[]).map((v) => Number(v.toFixed(4))).join(', ')}`);
  log(`split: RandomSplitter(seed=${splitSeed}) -> ${d.trnSplit.length} train / ${d.valSplit.length} valid (book ${BOOK.split.train} / ${BOOK.split.valid}); valid starts ${d.valSplit.slice(0, 5).join(', ')}, ...`);
  if (seed !== 442 || splitSeed !== 42) log(`note: the notebook uses seed 442 and split seed 42; with other seeds the book's numbers are only a guide`);

  const nSteps = (opts.models ?? MODELS).length + 1;
  log('');
  log(`[1/${nSteps}] first coefficients (manual_seed(${seed}); torch.rand(12)-0.5), MAE loss, one step of lr 0.1`);
  const t1 = performance.now();
  const first = firstStep(d.tIndep, d.tDep, seed);
  log(`  coeffs ours: ${first.coeffs.map(f4).join(' ')}`);
  log(`  coeffs book: ${BOOK.firstCoeffs.map(f4).join(' ')}`);
  log(`${''.padEnd(28)}  ours | book`);
  log(row('first loss', first.loss, BOOK.firstLoss));
  log(row('loss after one step', first.lossAfterStep, BOOK.lossAfterStep));
  log(`  (${((performance.now() - t1) / 1000).toFixed(2)} s; the notebook's step uses 3 accumulated backward passes)`);

  const s = split(d);
  const stages: ModelResult[] = [];
  let sub: { csv: string; survived: number } | null = null;
  for (const [i, m] of (opts.models ?? MODELS).entries()) {
    log('');
    log(`[${i + 2}/${nSteps}] ${m.title}`);
    const ts = performance.now();
    const runs = m.lrs.map((lr) => trainModel(m, s, lr, seed));
    const last = runs[runs.length - 1]!;
    const accuracy = acc(m, last.coeffs, s);
    const seconds = (performance.now() - ts) / 1000;
    runs.forEach((r, k) => log(`  lr ${m.lrs[k]}: ${r.losses.map((l) => l.toFixed(3)).join('; ')}`));
    log(row('valid accuracy', accuracy, m.bookAccuracy) + `   (${seconds.toFixed(2)} s)`);
    stages.push({ name: m.name, accuracy, bookAccuracy: m.bookAccuracy, seconds, seed, lrs: m.lrs, losses: runs.map((r) => r.losses) });
    if (m === sigmoid) sub = submissionCsv(m, last.coeffs, d); // the notebook submits the sigmoid model
  }

  const outDir = opts.out ? resolve(opts.out) : freshRunDir(createdAt);
  const submissionPath = join(outDir, 'submission.csv');
  if (!sub) sub = submissionCsv(sigmoid, trainModel(sigmoid, s, sigmoid.lrs[0]!, seed).coeffs, d);
  await writeFileAtomic(submissionPath, sub.csv);

  const epochs = Math.max(...stages.flatMap((r) => r.losses.map((l) => l.length)));
  const ys: Record<string, number[]> = {};
  for (const r of stages) r.losses.forEach((l, k) => {
    ys[r.losses.length > 1 ? `${r.name} (lr ${r.lrs[k]})` : r.name] = [...l, ...Array<number>(epochs - l.length).fill(NaN)];
  });
  const report = await writeReport(outDir, {
    title: 'Titanic from scratch (course22: linear model and neural net from scratch)',
    notes: `Data ${dir}. Inputs: ${INDEP_COLS.join(', ')}, each divided by its maximum over train.csv. ` +
      `RandomSplitter(seed=${splitSeed}): ${d.trnSplit.length} train / ${d.valSplit.length} valid. Loss: mean absolute error, full-batch gradient descent; ` +
      `train_model reseeds with ${seed} before initialising. submission.csv: the linear + sigmoid model on test.csv, as the notebook (${sub.survived} of ${d.test.passengerIds.length} predicted to survive).`,
    stages: stages.map(({ name, accuracy, bookAccuracy, seconds, seed: sd }) => ({ name, accuracy, bookAccuracy, seconds, seed: sd })),
    tables: [
      {
        title: 'First coefficients, loss and step (all 891 rows)', columns: ['quantity', 'ours', 'book'],
        rows: [
          ...first.coeffs.map((c, k): [string, number, number] => [`coeffs[${k}] (${INDEP_COLS[k]})`, c, BOOK.firstCoeffs[k]!]),
          ['MAE loss', first.loss, BOOK.firstLoss], ['loss after one step of lr 0.1', first.lossAfterStep, BOOK.lossAfterStep],
        ],
      },
      {
        title: 'Training loss per epoch', columns: ['epoch', ...Object.keys(ys)],
        rows: Array.from({ length: epochs }, (_, e) => [e + 1, ...Object.values(ys).map((v) => (Number.isFinite(v[e]) ? Number(v[e]!.toFixed(4)) : null))]),
      },
    ],
    plots: [{ title: 'Training loss (MAE) per epoch', spec: lineSpec({ x: Array.from({ length: epochs }, (_, e) => e + 1), ys }, { xTitle: 'epoch', yTitle: 'loss' }) }],
  });

  const totalSeconds = (performance.now() - t0) / 1000;
  log('');
  log(`summary${''.padEnd(21)}  ours | book`);
  for (const r of stages) log(row(r.name, r.accuracy, r.bookAccuracy));
  log('');
  log(`submission: ${shown(submissionPath)} (${d.test.passengerIds.length} rows, ${sub.survived} survive; linear + sigmoid model, as the notebook)`);
  log(`report: ${shown(report.htmlPath)}`);
  log(`results: ${shown(report.resultsPath)}`);
  log(`time: ${totalSeconds.toFixed(2)} s in all (data ${dataSeconds.toFixed(2)} s, ${stages.map((r) => `${r.name} ${r.seconds.toFixed(2)} s`).join(', ')})`);
  return {
    first, stages, split: { train: d.trnSplit.length, valid: d.valSplit.length },
    outDir, resultsPath: report.resultsPath, htmlPath: report.htmlPath, submissionPath, totalSeconds,
  };
}
