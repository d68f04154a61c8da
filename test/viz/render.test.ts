import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { viz } from '../../src/node.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const spec = viz.metricSpec(3, { accuracy: [0.9, 0.95, 0.97] }, { title: 'Accuracy', width: 200, height: 100 });
const svgSize = (svg: string) => svg.match(/^<svg[^>]* width="(\d+)" height="(\d+)"/)!.slice(1).map(Number) as [number, number];

describe('render', () => {
  it('PNG has the signature and the SVG size times scale', async () => {
    const svg = await viz.renderSvg(spec);
    const [w, h] = svgSize(svg);
    for (const scale of [1, 2]) {
      const png = await viz.svgToPng(svg, { scale });
      expect(Buffer.from(png.subarray(0, 8)).equals(PNG_SIGNATURE)).toBe(true);
      const meta = await sharp(png).metadata();
      expect([meta.width, meta.height]).toEqual([w * scale, h * scale]);
    }
    expect(Buffer.from((await viz.renderPng(spec, { scale: 1 })).subarray(0, 8)).equals(PNG_SIGNATURE)).toBe(true);
  });
  it('savePlot picks the format by extension, writes atomically, and rejects other extensions', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fg-viz-'));
    await viz.savePlot(spec, join(dir, 'sub', 'acc.svg'));
    await viz.savePlot(spec, join(dir, 'sub', 'acc.PNG'), { scale: 1 });
    expect((await readFile(join(dir, 'sub', 'acc.svg'), 'utf8')).startsWith('<svg')).toBe(true);
    expect((await readFile(join(dir, 'sub', 'acc.PNG'))).subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect((await readdir(join(dir, 'sub'))).sort()).toEqual(['acc.PNG', 'acc.svg']); // no temp files left
    await expect(viz.savePlot(spec, join(dir, 'acc.jpg'))).rejects.toThrow(/\.svg or \.png/);
  });
  it('refuses specs that load data from a URL or file', async () => {
    const remote = { data: { url: 'file:///etc/passwd' }, mark: 'point', encoding: {} } as viz.TopLevelSpec;
    await expect(viz.renderSvg(remote)).rejects.toThrow(/inline data only/);
  });
});
