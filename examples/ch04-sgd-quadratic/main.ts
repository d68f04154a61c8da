// fastbook chapter 4, "An End-to-End SGD Example": prints each step beside the book's output and writes
// the plots (SVG + PNG) and results.json.
// Run: npx tsx examples/ch04-sgd-quadratic/main.ts [--out DIR] [--seed 42] [--quiet]
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { viz } from '../../src/node.js';
import { fourPanels, scatterSpeed, showPreds } from './plots.js';
import { applyStep, coasterData, f, initParams, mse } from './sgd.js';

/** What the book prints (fastbook 04_mnist_basics, "An End-to-End SGD Example"). */
export const BOOK = {
  params: 'tensor([-0.7658, -0.7506,  1.3525], requires_grad=True)',
  loss: 'tensor(25823.8086, grad_fn=<MeanBackward0>)',
  grad: 'tensor([-53195.8594,  -3419.7146,   -253.8908])',
  lossAfterStep: 'tensor(5435.5366, grad_fn=<MeanBackward0>)',
  losses: [5435.53662109375, 1577.4495849609375, 847.3780517578125, 709.22265625, 683.0757446289062, 678.12451171875, 677.1839599609375, 677.0025024414062, 676.96435546875, 676.9537353515625],
};

export interface Options {
  /** Output folder (default runs/ch04-sgd-quadratic-<timestamp>/). */
  out?: string;
  /** Default 42: the seed that reproduces the book's numbers. */
  seed?: number;
  log?: (line: string) => void;
}

export interface Results {
  name: 'ch04-sgd-quadratic';
  seed: number;
  lr: number;
  time: number[];
  speed: number[];
  initialParams: number[];
  initialLoss: number;
  initialGrad: number[];
  lossAfterFirstStep: number;
  /** The 10 losses `apply_step` prints (each before its update), and the book's. */
  losses: number[];
  bookLosses: number[];
  finalParams: number[];
  /** Losses of the four plotted steps (from the initial params again, as the book). */
  panelLosses: number[];
  files: string[];
  seconds: number;
}

const stamp = (d: Date): string => d.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');

/** `runs/<name>-<timestamp>/`, with -2, -3... if that folder exists. */
export function freshRunDir(name: string): string {
  const base = resolve('runs', `${name}-${stamp(new Date())}`);
  for (let k = 2, dir = base; ; dir = `${base}-${k++}`) if (!existsSync(dir)) return dir;
}

export async function main(opts: Options = {}): Promise<Results> {
  const seed = opts.seed ?? 42;
  const log = opts.log ?? ((s: string) => console.log(s));
  const out = resolve(opts.out ?? freshRunDir('ch04-sgd-quadratic'));
  const t0 = performance.now();
  const lr = 1e-5;
  const nums = (t: { tolist(): unknown }) => t.tolist() as number[];

  log(`An End-to-End SGD Example (fastbook chapter 4), seed ${seed}`);
  log(`(the book's code does not seed; seed 42 gives the book's data and params)`);
  const data = coasterData(seed);
  const time = nums(data.time), speed = nums(data.speed);

  log('\nStep 1: params = torch.randn(3).requires_grad_()');
  const params = initParams();
  const origParams = params.clone();
  const initialParams = nums(params);
  log(`  ours: ${params}\n  book: ${BOOK.params}`);

  log('Step 2: preds = f(time, params)');
  let preds = f(data.time, params);
  const initialPreds = nums(preds);

  log('Step 3: loss = mse(preds, speed)');
  const loss = mse(preds, data.speed);
  log(`  ours: ${loss}\n  book: ${BOOK.loss}`);

  log('Step 4: loss.backward(); params.grad');
  loss.backward();
  const initialGrad = nums(params.grad!);
  log(`  ours: ${params.grad}\n  book: ${BOOK.grad}`);

  log(`Step 5: params.data -= lr * params.grad.data (lr 1e-5); params.grad = None; mse(f(time, params), speed)`);
  params.data.sub_(params.grad!.data.mul(lr));
  params.grad = null;
  preds = f(data.time, params);
  const after = mse(preds, data.speed);
  log(`  ours: ${after}\n  book: ${BOOK.lossAfterStep}`);

  log('Step 6: for i in range(10): apply_step(params)');
  log(`  ${'ours'.padEnd(20)}  book`);
  const losses: number[] = [];
  for (let i = 0; i < 10; i++)
    applyStep(data, params, lr, (l) => {
      losses.push(l);
      log(`  ${String(l).padEnd(20)}  ${BOOK.losses[i]}`);
    });

  // NOTE: as in PyTorch, detach() shares storage, so these steps also move orig_params.
  log('\nparams = orig_params.detach().requires_grad_(); four steps plotted (1×4 subplots)');
  const p = origParams.detach().requiresGrad_();
  const panels = Array.from({ length: 4 }, () => applyStep(data, p, lr, null));
  const panelLosses = panels.map((s) => s.loss);

  const files: string[] = [];
  const save = async (spec: viz.TopLevelSpec, name: string) => {
    for (const ext of ['svg', 'png']) files.push(await viz.savePlot(spec, join(out, `${name}.${ext}`)));
  };
  await save(scatterSpeed(time, speed), 'speed');
  await save(showPreds(time, speed, initialPreds, `initial params · loss ${loss.item().toFixed(1)}`), 'preds-initial');
  await save(fourPanels(time, speed, panels.map((s) => nums(s.preds)), panelLosses.map((l, i) => `step ${i + 1} · loss ${l.toFixed(1)}`)), 'preds-four-steps');

  const results: Results = {
    name: 'ch04-sgd-quadratic', seed, lr, time, speed,
    initialParams, initialLoss: loss.item(), initialGrad, lossAfterFirstStep: after.item(),
    losses, bookLosses: BOOK.losses, finalParams: nums(params), panelLosses,
    files: files.map((f) => f.slice(out.length + 1)), seconds: (performance.now() - t0) / 1000,
  };
  const resultsPath = join(out, 'results.json');
  await viz.writeFileAtomic(resultsPath, JSON.stringify(results, null, 2) + '\n');
  log(`\nwrote ${files.length} plots and results.json to ${out}`);
  return results;
}

const isEntry = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isEntry) {
  try {
    const { values } = parseArgs({ options: { out: { type: 'string' }, seed: { type: 'string' }, quiet: { type: 'boolean' } } });
    const seed = values.seed === undefined ? undefined : Number(values.seed);
    if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0)) throw new Error(`--seed must be a non-negative integer, got ${values.seed}`);
    await main({ out: values.out, seed, log: values.quiet ? () => {} : undefined });
  } catch (err) {
    console.error(`ch04-sgd-quadratic: error: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
