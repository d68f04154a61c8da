// Smoke tests of the chapter 4 / lesson 3 examples: each main() runs into a temp folder and writes
// results.json and its plots; the losses go down and match the book's / notebook's printed values.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { BOOK, main as sgdQuadratic } from '../../examples/ch04-sgd-quadratic/main.js';
import { NOTEBOOK, main as howANetWorks } from '../../examples/lesson3-how-a-net-works/main.js';
import { NumpyRandomState } from '../../examples/lesson3-how-a-net-works/np-random.js';
import { describeBackends } from '../helpers/backends.js';

const dirs: string[] = [];
const tmp = async (name: string) => {
  const d = await mkdtemp(join(tmpdir(), `fastgrad-${name}-`));
  dirs.push(d);
  return d;
};
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const decreasing = (xs: number[]) => xs.every((v, i) => i === 0 || v < xs[i - 1]!);
// NOTE: the examples are the book's code, which reads values synchronously (`.item()`, printing) as a user may
const bookCode = { skip: { 'cpu-async': 'the example scripts read synchronously, as the book\'s code does' } };

describeBackends('examples/ch04-sgd-quadratic', () => {
  it('runs the book\'s 10 apply_step calls, writes the plots and results.json', async () => {
    const out = await tmp('sgd');
    const lines: string[] = [];
    const r = await sgdQuadratic({ out, log: (s) => lines.push(s) });
    const saved = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    expect(saved.losses).toEqual(r.losses);
    expect(r.files).toEqual(['speed.svg', 'speed.png', 'preds-initial.svg', 'preds-initial.png', 'preds-four-steps.svg', 'preds-four-steps.png']);
    for (const f of r.files) expect(existsSync(join(out, f)), f).toBe(true);
    expect(r.losses).toHaveLength(10);
    expect(decreasing(r.losses)).toBe(true);
    expect(decreasing(r.panelLosses)).toBe(true);
    // seed 42 gives the book's data and params; float32 sums may differ in the last bits
    expect(r.initialParams.map((p) => p.toFixed(4))).toEqual(['-0.7658', '-0.7506', '1.3525']);
    expect(r.initialLoss).toBeCloseTo(25823.8086, 2);
    r.losses.forEach((l, i) => expect(Math.abs(l - BOOK.losses[i]!) / BOOK.losses[i]!).toBeLessThan(1e-6));
    expect(lines.join('\n')).toContain('tensor([-53195.8594,  -3419.7146,   -253.8908])');
  });
}, bookCode);

describeBackends('examples/lesson3-how-a-net-works', () => {
  it('NumpyRandomState reproduces np.random.seed(42); np.random.normal(size=3)', () => {
    // NumPy 1.24: np.random.seed(42); np.random.normal(size=3) → [0.49671415, -0.1382643, 0.64768854]
    expect([...new NumpyRandomState(42).normal(0, 1, 3)].map((v) => v.toFixed(8))).toEqual(['0.49671415', '-0.13826430', '0.64768854']);
  });

  it('fits the quadratic by hand with the notebook\'s numbers, writes the plots and results.json', async () => {
    const out = await tmp('lesson3');
    const r = await howANetWorks({ out, log: () => {} });
    const saved = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    expect(saved.abc).toEqual(r.abc);
    for (const name of ['quadratic', 'noisy-data', 'fit', 'rectified-linear', 'double-relu', 'sigmoid', 'relu', 'log', 'x-squared'])
      for (const ext of ['png', 'svg']) expect(existsSync(join(out, `${name}.${ext}`)), `${name}.${ext}`).toBe(true);
    expect(r.quad).toBe(10.75);
    expect(r.initialLoss.toFixed(4)).toBe('2.4219');
    expect(r.initialGrad.map((g) => g.toFixed(4))).toEqual(['-1.3529', '-0.0316', '-0.5000']);
    expect(r.lossAfterFirstStep).toBe(r.losses[0]); // the loop's first loss is the one printed after the first step
    expect(decreasing([r.initialLoss, ...r.losses])).toBe(true);
    expect(r.losses.map((l) => l.toFixed(2))).toEqual(NOTEBOOK.losses.map((l) => l.toFixed(2)));
  });
}, bookCode);
