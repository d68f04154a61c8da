import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tensor, viz } from '../../src/node.js';

type Layer = { data: { values: { x: number; y: number | null }[] }; mark: { type: string; color: string } };
const layers = (s: viz.TopLevelSpec) => (s as unknown as { layer: Layer[] }).layer;

describe('viz.plotFunction (the course plot_function)', () => {
  it('samples f over linspace(min, max, points); f may return a number or a one-element tensor', async () => {
    const a = await viz.plotFunction((v) => 3 * v ** 2 + 2 * v + 1, { min: -1, max: 1, points: 5 });
    const b = await viz.plotFunction((v) => tensor([v]).float().pow(2).mul(3).add(tensor([v]).float().mul(2)).add(1), { min: -1, max: 1, points: 5 });
    expect(layers(a)[0]!.data.values).toEqual([
      { x: -1, y: 2 }, { x: -0.5, y: 0.75 }, { x: 0, y: 1 }, { x: 0.5, y: 2.75 }, { x: 1, y: 6 },
    ]);
    expect(layers(b)[0]!.data.values).toEqual(layers(a)[0]!.data.values);
  });

  it('titles, axis names (tx, ty), colour, ylim, scatter underneath; nan/inf become gaps', async () => {
    const s = await viz.plotFunction(Math.log, { min: 0, max: 2, points: 3, title: 'log', tx: 'x', ty: 'log(x)', color: 'red', ylim: [-3, 1], scatter: { x: [1], y: [0] } });
    const spec = s as unknown as { title: string; encoding: { x: { title: string }; y: { title: string; scale: { domain: number[] } } } };
    expect([spec.title, spec.encoding.x.title, spec.encoding.y.title]).toEqual(['log', 'x', 'log(x)']);
    expect(spec.encoding.y.scale.domain).toEqual([-3, 1]);
    const [pts, line] = layers(s);
    expect(pts!.mark.type).toBe('point');
    expect(line!.mark.color).toBe('red');
    expect(line!.data.values[0]!.y).toBeNull();
  });

  it('writes SVG or PNG when given a path, and checks its inputs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fastgrad-plotfn-'));
    try {
      await viz.plotFunction((v) => 1 / (1 + Math.exp(-v)), { min: -4, max: 4, title: 'Sigmoid', path: join(dir, 'sigmoid.svg') });
      expect(await readFile(join(dir, 'sigmoid.svg'), 'utf8')).toMatch(/^<svg[\s\S]*Sigmoid/);
      await viz.plotFunction((v) => v, { path: join(dir, 'id.png') });
      expect([...(await readFile(join(dir, 'id.png'))).subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    await expect(viz.plotFunction((v) => v, { min: 1, max: 1 })).rejects.toThrow(/min must be below max/);
    await expect(viz.plotFunction((v) => v, { scatter: { x: [1, 2], y: [1] } })).rejects.toThrow(/scatter.x has 2 values but scatter.y has 1/);
    await expect(viz.plotFunction(() => [1, 2] as never)).rejects.toThrow(/f\(x\)/);
  });

  it('without the Node entry (no plot writer installed) returns specs but refuses paths with a clear error', async () => {
    viz.setPlotWriter(null); // as with `import ... from 'fastgrad'` alone
    try {
      expect(await viz.plotFunction((v) => v)).toMatchObject({ width: 360 });
      await expect(viz.plotFunction((v) => v, { path: 'f.png' })).rejects.toThrow(/"f\.png" needs the Node entry: import from 'fastgrad\/node'/);
    } finally {
      viz.setPlotWriter(viz.savePlot);
    }
  });
});
