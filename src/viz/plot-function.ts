// The course's `plot_function`: y = f(x) over linspace(min, max) as a line, optionally over a scatter of
// data points (lesson 3's `plt.scatter(x, y); plot_function(f, ylim=...)`), written as SVG/PNG.
import { FastgradError, ShapeError } from '../errors.js';
import type { FunctionOpts, TopLevelSpec } from '../plot/specs.js';
import { type Num, type Vec, finiteOrNull, linspace, toNum, toVec } from '../plot/values.js';
import { writePlot } from '../plot/writer.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

export interface PlotFunctionOpts extends FunctionOpts {
  /** Line colour, a CSS colour (default matplotlib's C0 blue; the lesson 3 notebook draws 'r', red). */
  color?: string;
  /** Data drawn as points under the line, as `plt.scatter(x, y)` before `plot_function` (colour default C0 blue). */
  scatter?: { x: Vec; y: Vec; color?: string };
  /** Write the plot here (.svg or .png; Node: import from 'fastgrad/node'). */
  path?: string;
  /** PNG pixels per SVG unit (default 2). */
  scale?: number;
}

/**
 * fastbook's `plot_function(f, tx, ty, title, min=-2, max=2)`: samples f at `points` (default 100) values of
 * linspace(min, max) and draws the line. f maps a number to a number or a one-element tensor, so both
 * `Math.log` and `(x) => fg.tensor(x).sigmoid()` work. Returns the Vega-Lite spec; with `path`, writes it.
 * @example await plotFunction((x) => 3 * x ** 2 + 2 * x + 1, { title: '3x²+2x+1', path: 'quad.png' })
 */
export async function plotFunction(f: (x: number) => Num, opts: PlotFunctionOpts = {}): Promise<TopLevelSpec> {
  if (typeof f !== 'function') throw new FastgradError(`plotFunction: f must be a function of one number, got ${typeof f}`);
  const { min = -2, max = 2, points = 100 } = opts;
  if (!(min < max)) throw new FastgradError(`plotFunction: min must be below max, got min=${min}, max=${max}`);
  const xs = linspace(min, max, points);
  const line = xs.map((x) => ({ x, y: finiteOrNull(toNum(f(x), 'f(x)')) }));
  const layers: object[] = [];
  if (opts.scatter) {
    const sx = toVec(opts.scatter.x, 'scatter.x'), sy = toVec(opts.scatter.y, 'scatter.y');
    if (sx.length !== sy.length) throw new ShapeError(`plotFunction: scatter.x has ${sx.length} values but scatter.y has ${sy.length}`);
    const pts = sx.map((x, i) => ({ x, y: finiteOrNull(sy[i]!) }));
    layers.push({ data: { values: pts }, mark: { type: 'point', filled: true, size: 30, opacity: 1, color: opts.scatter.color ?? '#1f77b4', clip: true } });
  }
  layers.push({ data: { values: line }, mark: { type: 'line', strokeWidth: 2, color: opts.color ?? '#1f77b4', clip: true } });
  const spec = {
    $schema: SCHEMA, title: opts.title ?? '', width: opts.width ?? 360, height: opts.height ?? 240,
    encoding: {
      x: { field: 'x', type: 'quantitative', title: opts.tx ?? 'x', scale: { zero: false } },
      y: { field: 'y', type: 'quantitative', title: opts.ty ?? 'y', scale: { zero: false, ...(opts.ylim ? { domain: opts.ylim } : {}) } },
    },
    layer: layers,
  } as TopLevelSpec;
  if (opts.path !== undefined) await writePlot(spec, opts.path, opts.scale === undefined ? {} : { scale: opts.scale });
  return spec;
}
