// course22 lesson 3, "How does a neural net really work?": fit a quadratic to noisy data by gradient descent
// on the MAE (the notebook's sliders replaced by its hand loop), then rectified linear units and their sums;
// plus the book's plot_function plots (sigmoid, ReLU, log, x²). Prints each number beside the notebook's.
// Run: npx tsx examples/lesson3-how-a-net-works/main.ts [--out DIR] [--quiet]
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type Tensor, noGrad, tensor, viz } from '../../src/node.js';
import { doubleRelu, f, mkQuad, noisyData, quad, quadMae, rectifiedLinear } from './net.js';
import { NumpyRandomState } from './np-random.js';

/** What the notebook prints (np.random.seed(42), torch 1.13-era run). */
export const NOTEBOOK = {
  quad: 10.75,
  initialLoss: 'tensor(2.4219, dtype=torch.float64, grad_fn=<MeanBackward0>)',
  initialGrad: 'tensor([-1.3529, -0.0316, -0.5000])',
  lossAfterFirstStep: 'loss=2.40',
  losses: [2.40, 2.36, 2.30, 2.21, 2.11, 1.98, 1.85, 1.72, 1.58, 1.46],
};

export interface Options {
  /** Output folder (default runs/lesson3-how-a-net-works-<timestamp>/). */
  out?: string;
  log?: (line: string) => void;
}

export interface Results {
  name: 'lesson3-how-a-net-works';
  /** np.random.seed, reproduced on fastgrad's mt19937 (see np-random.ts). */
  seed: number;
  quad: number;
  x: number[];
  y: number[];
  initialLoss: number;
  initialGrad: number[];
  lossAfterFirstStep: number;
  /** The 10 losses the hand loop prints (each before its update), and the notebook's (2 decimals). */
  losses: number[];
  notebookLosses: number[];
  abc: number[];
  files: string[];
  seconds: number;
}

const stamp = (d: Date): string => d.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
function freshRunDir(name: string): string {
  const base = resolve('runs', `${name}-${stamp(new Date())}`);
  for (let k = 2, dir = base; ; dir = `${base}-${k++}`) if (!existsSync(dir)) return dir;
}

/** A tensor function as a number function for plotFunction: x → g(tensor([x])). */
const pointwise = (g: (x: Tensor) => Tensor) => (v: number) => g(tensor([v], { dtype: 'float32' }));

export async function main(opts: Options = {}): Promise<Results> {
  const log = opts.log ?? ((s: string) => console.log(s));
  const out = resolve(opts.out ?? freshRunDir('lesson3-how-a-net-works'));
  const t0 = performance.now();
  const files: string[] = [];
  const plot = async (name: string, g: (x: number) => number | Tensor, o: viz.PlotFunctionOpts) => {
    for (const ext of ['svg', 'png']) {
      await viz.plotFunction(g, { ...o, path: join(out, `${name}.${ext}`) });
      files.push(`${name}.${ext}`);
    }
  };
  // The notebook's plot_function(f, title=None, min=-2.1, max=2.1, color='r', ylim=None).
  const nb = { min: -2.1, max: 2.1, color: 'red' };

  log('How does a neural net really work? (course22 lesson 3)');
  await plot('quadratic', pointwise(f), { ...nb, title: '3x² + 2x + 1' });
  const q = quad(3, 2, 1, tensor(1.5)).item();
  log(`quad(3,2,1, 1.5) = ${q}   notebook: ${NOTEBOOK.quad}`);
  const f2 = mkQuad(3, 2, 1);
  log(`mk_quad(3,2,1)(1.5) = ${f2(tensor(1.5)).item()}`);

  const seed = 42;
  log(`\nnp.random.seed(${seed}); x = torch.linspace(-2, 2, steps=20)[:,None]; y = add_noise(f(x), 0.15, 1.5)`);
  const { x, y } = noisyData(new NumpyRandomState(seed));
  const xs = x.flatten().tolist() as number[], ys = y.flatten().tolist() as number[];
  log(`x[:5] = ${x.narrow(0, 0, 5).flatten()}\ny[:5] = ${y.narrow(0, 0, 5).flatten()}`);
  const scatter = { x: xs, y: ys };
  const guess = quadMae([1.1, 1.1, 1.1], x, y);
  await plot('noisy-data', pointwise(mkQuad(1.1, 1.1, 1.1)), { ...nb, scatter, ylim: [-3, 13], title: `a=b=c=1.1 · MAE: ${guess.item().toFixed(2)}` });

  log('\nabc = torch.tensor([1.1,1.1,1.1]).requires_grad_(); loss = quad_mae(abc)');
  const abc = tensor([1.1, 1.1, 1.1]).requiresGrad_();
  let loss = quadMae(abc, x, y);
  log(`  ours:     ${loss}\n  notebook: ${NOTEBOOK.initialLoss}`);
  const initialLoss = loss.item();
  loss.backward();
  log(`loss.backward(); abc.grad\n  ours:     ${abc.grad}\n  notebook: ${NOTEBOOK.initialGrad}`);
  const initialGrad = abc.grad!.tolist() as number[];
  noGrad(() => {
    abc.sub_(abc.grad!.mul(0.01));
    loss = quadMae(abc, x, y);
  });
  const lossAfterFirstStep = loss.item();
  log(`with torch.no_grad(): abc -= abc.grad*0.01; loss = quad_mae(abc)\n  ours: loss=${lossAfterFirstStep.toFixed(2)}   notebook: ${NOTEBOOK.lossAfterFirstStep}`);

  // NOTE: as in the notebook, abc.grad is never zeroed, so each step uses the sum of all gradients so far.
  log('for i in range(10): loss = quad_mae(abc); loss.backward(); abc -= abc.grad*0.01');
  const losses: number[] = [];
  for (let i = 0; i < 10; i++) {
    loss = quadMae(abc, x, y);
    loss.backward();
    noGrad(() => abc.sub_(abc.grad!.mul(0.01)));
    losses.push(loss.item());
    log(`  step=${i}; loss=${loss.item().toFixed(2)}   notebook: step=${i}; loss=${NOTEBOOK.losses[i]!.toFixed(2)}`);
  }
  const abcNow = abc.tolist() as number[];
  const [a, b, c] = abcNow as [number, number, number];
  await plot('fit', pointwise(mkQuad(a, b, c)), { ...nb, scatter, ylim: [-3, 13], title: `after 11 steps · MAE: ${quadMae(abcNow, x, y).item().toFixed(2)}` });

  log('\nrectified_linear(m,b,x) = torch.clip(m*x+b, 0.); double_relu = the sum of two');
  await plot('rectified-linear', pointwise((t) => rectifiedLinear(1, 1, t)), { ...nb, title: 'rectified_linear(1, 1, x)' });
  await plot('double-relu', pointwise((t) => doubleRelu(-1.5, -1.5, 1.5, 1.5, t)), { ...nb, ylim: [-1, 6], title: 'double_relu(-1.5, -1.5, 1.5, 1.5, x)' });

  // The book's plot_function(f, tx, ty, title, min=-2, max=2) plots: ch.4 sigmoid, ReLU, x², ch.5 log.
  await plot('sigmoid', pointwise((t) => t.sigmoid()), { min: -4, max: 4, title: 'Sigmoid' });
  await plot('relu', pointwise((t) => t.relu()), { title: 'ReLU (F.relu)' });
  await plot('log', pointwise((t) => t.log()), { min: 0, max: 4, title: 'log' });
  await plot('x-squared', (v) => v ** 2, { tx: 'x', ty: 'x**2', scatter: { x: [-1.5], y: [2.25], color: 'red' } });

  const results: Results = {
    name: 'lesson3-how-a-net-works', seed, quad: q, x: xs, y: ys, initialLoss, initialGrad, lossAfterFirstStep,
    losses, notebookLosses: NOTEBOOK.losses, abc: abcNow, files, seconds: (performance.now() - t0) / 1000,
  };
  await viz.writeFileAtomic(join(out, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  log(`\nwrote ${files.length} plots and results.json to ${out}`);
  return results;
}

const isEntry = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isEntry) {
  try {
    const { values } = parseArgs({ options: { out: { type: 'string' }, quiet: { type: 'boolean' } } });
    await main({ out: values.out, log: values.quiet ? () => {} : undefined });
  } catch (err) {
    console.error(`lesson3-how-a-net-works: error: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
