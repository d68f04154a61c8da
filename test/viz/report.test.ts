import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tensor, viz } from '../../src/node.js';

describe('writeReport', () => {
  it('writes results.json, index.html with inline SVGs and specs, and a PNG per plot', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'fg-report-')), 'run');
    const res = await viz.writeReport(dir, {
      title: 'MNIST 3 vs 7 <quick>',
      notes: 'first paragraph\n\nsecond',
      stages: [
        { name: 'pixel similarity', accuracy: tensor(0.95), bookAccuracy: 0.9511, seconds: 1.234, seed: 42 },
        { name: 'simple_net', accuracy: 0.98, bookAccuracy: 0.9828, errorRate: 0.02, seconds: tensor([3.5]), seed: 42 },
      ],
      tables: [{ title: 'Per epoch', columns: ['epoch', 'loss'], rows: tensor([[0, 0.5], [1, 0.25]]) }],
      plots: [
        { title: 'Loss </script>', spec: viz.metricSpec(2, { loss: [0.5, 0.25] }, { title: 'loss per epoch' }) },
        { title: 'clipped', spec: viz.lineSpec({ x: [0, 1, 2], ys: { y: [0, 5, 1] } }, { yDomain: [0, 2] }) },
        { title: 'A three', spec: viz.imageSpec([[0, 1], [1, 0]], { title: 'three' }) },
      ],
    });
    const results = JSON.parse(await readFile(res.resultsPath, 'utf8'));
    expect(results.title).toBe('MNIST 3 vs 7 <quick>');
    expect(results.stages[0]).toEqual({ name: 'pixel similarity', accuracy: expect.closeTo(0.95, 6), bookAccuracy: 0.9511, seconds: 1.234, seed: 42 });
    expect(results.stages[1]).toMatchObject({ name: 'simple_net', errorRate: 0.02, seconds: 3.5, seed: 42 });
    expect(results.tables[0].rows).toEqual([[0, 0.5], [1, 0.25]]);

    const html = await readFile(res.htmlPath, 'utf8');
    expect(html).toContain('<h1>MNIST 3 vs 7 &lt;quick&gt;</h1>');
    for (const s of ['pixel similarity', 'book accuracy', 'Per epoch', 'loss per epoch', 'A three', '<p>second</p>']) expect(html).toContain(s);
    expect(html.match(/<svg /g)).toHaveLength(3);
    for (const m of html.matchAll(/url\(#([^)]+)\)/g)) expect(html).toContain(`id="${m[1]}"`); // clip ids scoped per plot, still resolving
    expect(html).toMatch(/clip-path="url\(#plot2-clip\d+\)"/);
    expect(html).not.toMatch(/id="clip\d+"/);
    expect(html.match(/<\/script>/g)).toHaveLength(3); // the title's "</script>" is escaped, not closing a tag
    const specJson = html.match(/<script type="application\/json" class="vega-lite-spec" id="spec-1">(.*?)<\/script>/)![1]!;
    expect(JSON.parse(specJson).title).toBe('loss per epoch');

    expect((await readdir(dir)).sort()).toEqual(['index.html', 'plot-1-loss-script.png', 'plot-2-clipped.png', 'plot-3-a-three.png', 'results.json']);
    expect(res.pngPaths).toHaveLength(3);
  });
  it('names the bad field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fg-report-'));
    await expect(viz.writeReport(dir, { title: 't', stages: [{ name: 'a', seconds: 1, seed: 1.5 }] })).rejects.toThrow(/stages\[0\]\.seed: expected an integer/);
    await expect(viz.writeReport(dir, { title: 't', stages: [{ name: 'a', seconds: 1, seed: 1, accuracy: tensor([1, 2]) }] })).rejects.toThrow(/stages\[0\]\.accuracy/);
  });
});
