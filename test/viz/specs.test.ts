import { describe, expect, it } from 'vitest';
import { tensor, viz } from '../../src/node.js';

type Rows = Record<string, unknown>[];
const rowsOf = (spec: viz.TopLevelSpec): Rows => ((spec as { data: { values: Rows } }).data.values);
const img = (n: number) => Array.from({ length: n }, (_, r) => Array.from({ length: n }, (_, c) => (r * n + c) % 256));

describe('functionSpec / sampleFunction (the course plot_function)', () => {
  it('samples linspace(min, max, 100) with exact ends, like torch.linspace', () => {
    const { x, y } = viz.sampleFunction((v) => v * v, -2, 2, 100);
    expect(x).toHaveLength(100);
    expect(x[0]).toBe(-2);
    expect(x[99]).toBe(2);
    expect(x[50]! - x[49]!).toBeCloseTo(4 / 99, 12);
    y.forEach((v, i) => expect(v).toBe(x[i]! ** 2));
  });
  it('sigmoid, relu and x² land in the spec rows at the right x', () => {
    const cases: [(v: number) => number, (v: number) => number][] = [
      [(v) => 1 / (1 + Math.exp(-v)), (v) => 1 / (1 + Math.exp(-v))],
      [(v) => Math.max(v, 0), (v) => (v > 0 ? v : 0)],
      [(v) => v ** 2, (v) => v * v],
    ];
    for (const [f, ref] of cases) {
      const spec = viz.functionSpec(f, { min: -4, max: 4, points: 9, tx: 'x', ty: 'y' }) as { layer: { data: { values: { x: number; y: number }[] } }[] };
      const rows = spec.layer[0]!.data.values;
      expect(rows.map((r) => r.x)).toEqual([-4, -3, -2, -1, 0, 1, 2, 3, 4]);
      rows.forEach((r) => expect(r.y).toBeCloseTo(ref(r.x), 12));
    }
  });
  it('non-finite values (log of negatives) become null, and bad ranges throw', () => {
    const spec = viz.functionSpec(Math.log, { min: -1, max: 1, points: 3 }) as { layer: { data: { values: { y: number | null }[] } }[] };
    expect(spec.layer[0]!.data.values.map((r) => r.y)).toEqual([null, null, 0]);
    expect(() => viz.functionSpec(Math.exp, { min: 1, max: 1 })).toThrow(/min must be below max/);
  });
});

describe('spec data', () => {
  it('lossSpec skips the first 5 batches (fastai skip_start) and keeps valid losses per epoch', () => {
    const rows = rowsOf(viz.lossSpec({ trainLoss: tensor([9, 9, 9, 9, 9, 1, 0.5]), validLoss: [{ iter: 6, value: 0.7 }] }));
    expect(rows).toEqual([
      { iter: 5, loss: 1, series: 'train' }, { iter: 6, loss: 0.5, series: 'train' }, { iter: 6, loss: 0.7, series: 'valid' },
    ]);
    expect(() => viz.lossSpec({ trainLoss: [1, 2], iters: [0] })).toThrow(/iters has 1 entries but trainLoss has 2/);
  });
  it('smoothLoss is fastai’s debiased EMA', () => {
    const s = viz.smoothLoss([1, 2, 3], 0.98);
    expect(s[0]).toBeCloseTo(1, 12);
    expect(s[1]).toBeCloseTo((0.98 * 0.02 * 1 + 0.02 * 2) / (1 - 0.98 ** 2), 12);
  });
  it('metricSpec takes an epoch count and checks lengths', () => {
    expect(rowsOf(viz.metricSpec(2, { accuracy: tensor([0.5, 0.75]) }))).toEqual([
      { epoch: 0, value: 0.5, metric: 'accuracy' }, { epoch: 1, value: 0.75, metric: 'accuracy' },
    ]);
    expect(() => viz.metricSpec(3, { accuracy: [1] })).toThrow(/accuracy has 1 values but there are 3 epochs/);
  });
  it('imageSpec accepts a 1×H×W tensor and rejects ragged rows', () => {
    const rows = rowsOf(viz.imageSpec(tensor([[[0, 1], [2, 3]]])));
    expect(rows.map((r) => r.v)).toEqual([0, 1, 2, 3]);
    expect(() => viz.imageSpec([[1, 2], [3]])).toThrow(/2-D grid/);
  });
  it('heatTableSpec labels rows/cols from the offsets and switches text to white on dark cells', () => {
    const rows = rowsOf(viz.heatTableSpec([[0, 255]], { rowOffset: 4, colOffset: 4 }));
    expect(rows).toMatchObject([{ r: 4, c: 4, label: '0', dark: false }, { r: 4, c: 5, label: '255', dark: true }]);
  });
});

describe('every spec renders to SVG', () => {
  const cases: [string, viz.TopLevelSpec, string[]][] = [
    ['loss', viz.lossSpec({ trainLoss: [3, 2, 1.5, 1.2, 1, 0.9, 0.8, 0.7], validLoss: [{ iter: 7, value: 0.9 }] }, { title: 'Loss curve' }), ['mark-line', 'mark-symbol', 'Loss curve', 'iteration', '>valid<']],
    ['metric', viz.metricSpec(3, { accuracy: [0.9, 0.95, 0.97] }, { title: 'Accuracy' }), ['mark-line', 'mark-symbol', 'Accuracy', 'epoch']],
    ['lr_find', viz.lineSpec({ x: [1e-5, 1e-4, 1e-3, 1e-2], ys: { loss: [2, 1.5, 1, 3] } }, { title: 'LR finder', xTitle: 'Learning Rate', yTitle: 'Loss', logX: true, markers: [{ x: 1e-3, y: 1, label: 'valley' }] }), ['mark-line', 'mark-symbol', 'LR finder', 'Learning Rate', '>valley<', '1e-4']],
    ['function', viz.functionSpec((v) => Math.max(0, v), { title: 'ReLU', tx: 'x', ty: 'relu(x)' }), ['mark-line', 'ReLU', 'relu(x)']],
    ['image', viz.imageSpec(tensor(img(4)), { title: 'A digit' }), ['mark-rect', 'A digit']],
    ['heat', viz.heatTableSpec(img(3), { title: 'Pixels', rowOffset: 4 }), ['mark-rect', 'mark-text', 'Pixels', '>8<', '>6<']],
    ['grid', viz.gridSpec([{ values: img(3), title: 'three' }, { values: img(3), title: 'seven' }]), ['mark-rect', '>three<', '>seven<']],
  ];
  it.each(cases)('%s', async (_name, spec, expected) => {
    const svg = await viz.renderSvg(spec);
    expect(svg.startsWith('<svg')).toBe(true);
    for (const s of expected) expect(svg).toContain(s);
  });
});
