// Vega-Lite specs as plain JSON objects, built from plain numbers: rendered headless by viz/render.ts
// (Node), unchanged by vega-embed in a browser. Data is always inline (no URLs to fetch).
// NOTE: plot/ is a leaf like errors.ts (it imports nothing else of fastgrad), so any layer may build a
// plot: the Recorder's plotLoss lives in learner/, below viz/, which adds rendering, reports, plotFunction.
import type { TopLevelSpec } from 'vega-lite';
import { FastgradError, ShapeError } from '../errors.js';
import { type Mat, type Vec, finiteOrNull, linspace, smoothLoss, toMat, toVec } from './values.js';

export type { TopLevelSpec } from 'vega-lite';
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
// matplotlib's first colours (C0 blue, C1 orange, ...), so plots look like fastai's.
const TAB10 = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
type Row = Record<string, number | string | boolean | null>;

export interface PlotOpts {
  title?: string;
  width?: number;
  height?: number;
}

/** What `recorder.plotLoss` needs: per-batch train losses (fastai's Recorder keeps them smoothed) and valid loss per epoch end. */
export interface LossData {
  trainLoss: Vec;
  /** Iteration number of each train loss; defaults to 0, 1, 2, ... */
  iters?: Vec;
  validLoss?: readonly { iter: number; value: number }[];
}
export interface LossOpts extends PlotOpts {
  /** Batches left out at the start, as fastai's `plot_loss(skip_start=5)`. */
  skipStart?: number;
  /** Smooth raw losses here (fastai's beta 0.98); leave unset when they come smoothed from the Recorder. */
  smoothBeta?: number;
}

/** fastai's `recorder.plot_loss()`: train loss per batch and valid loss at each epoch end. */
export function lossSpec(data: LossData, opts: LossOpts = {}): TopLevelSpec {
  let train = toVec(data.trainLoss, 'trainLoss');
  if (opts.smoothBeta !== undefined) train = smoothLoss(train, opts.smoothBeta);
  const iters = data.iters === undefined ? train.map((_, i) => i) : toVec(data.iters, 'iters');
  if (iters.length !== train.length)
    throw new ShapeError(`iters has ${iters.length} entries but trainLoss has ${train.length}: give one iteration number per loss`);
  const skip = opts.skipStart ?? 5;
  const rows: Row[] = [];
  iters.forEach((it, i) => { if (i >= skip || train.length <= skip) rows.push({ iter: it, loss: finiteOrNull(train[i]!), series: 'train' }); });
  const first = rows.length ? (rows[0]!.iter as number) : 0;
  for (const v of data.validLoss ?? []) if (v.iter >= first) rows.push({ iter: v.iter, loss: finiteOrNull(v.value), series: 'valid' });
  const color = { field: 'series', type: 'nominal' as const, title: null, scale: { domain: ['train', 'valid'], range: TAB10.slice(0, 2) } };
  return {
    $schema: SCHEMA, title: opts.title ?? 'Loss', width: opts.width ?? 420, height: opts.height ?? 260,
    data: { values: rows },
    encoding: {
      x: { field: 'iter', type: 'quantitative', title: 'iteration' },
      y: { field: 'loss', type: 'quantitative', title: 'loss', scale: { zero: false } },
      color,
    },
    layer: [
      { mark: { type: 'line', strokeWidth: 1.5 } },
      { transform: [{ filter: "datum.series === 'valid'" }], mark: { type: 'point', filled: true, size: 30 } },
    ],
  };
}

/** One line per metric over epochs (fastai's `plot_metrics`); `epochs` may be a count (0..n-1) or the epoch numbers. */
export function metricSpec(epochs: number | Vec, metrics: Record<string, Vec>, opts: PlotOpts = {}): TopLevelSpec {
  const names = Object.keys(metrics);
  if (names.length === 0) throw new FastgradError('metrics: expected at least one {name: values} entry');
  const xs = typeof epochs === 'number' ? linspace(0, epochs - 1, epochs) : toVec(epochs, 'epochs');
  const rows: Row[] = [];
  for (const name of names) {
    const vs = toVec(metrics[name]!, `metrics.${name}`);
    if (vs.length !== xs.length) throw new ShapeError(`metrics.${name} has ${vs.length} values but there are ${xs.length} epochs`);
    vs.forEach((v, i) => rows.push({ epoch: xs[i]!, value: finiteOrNull(v), metric: name }));
  }
  return {
    $schema: SCHEMA, title: opts.title ?? names.join(', '), width: opts.width ?? 420, height: opts.height ?? 260,
    data: { values: rows },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
      y: { field: 'value', type: 'quantitative', title: names.length === 1 ? names[0] : 'value', scale: { zero: false } },
      color: { field: 'metric', type: 'nominal', title: null, scale: { range: TAB10 }, legend: names.length > 1 ? {} : null },
    },
  };
}

export interface LineOpts extends PlotOpts {
  xTitle?: string;
  yTitle?: string;
  logX?: boolean;
  logY?: boolean;
  yDomain?: [number, number];
  /** Labelled points drawn over the lines, e.g. lr_find's suggestions `{x: 3e-3, y: 0.41, label: 'valley'}`. */
  markers?: readonly { x: number; y: number; label: string }[];
}

/** Named series sharing one x, e.g. lr_find's loss vs learning rate (`logX: true`) with suggestion markers. */
export function lineSpec(data: { x: Vec; ys: Record<string, Vec> }, opts: LineOpts = {}): TopLevelSpec {
  const x = toVec(data.x, 'x');
  const names = Object.keys(data.ys);
  if (names.length === 0) throw new FastgradError('ys: expected at least one {name: values} entry');
  const rows: Row[] = [];
  for (const name of names) {
    const ys = toVec(data.ys[name]!, `ys.${name}`);
    if (ys.length !== x.length) throw new ShapeError(`ys.${name} has ${ys.length} values but x has ${x.length}`);
    ys.forEach((y, i) => rows.push({ x: x[i]!, y: finiteOrNull(y), series: name }));
  }
  const markers = (opts.markers ?? []).map((m) => ({ x: m.x, y: finiteOrNull(m.y), series: m.label }));
  const domain = [...names, ...markers.map((m) => m.series)];
  const color = { field: 'series', type: 'nominal' as const, title: null, scale: { domain, range: TAB10 }, legend: domain.length > 1 ? {} : null };
  const yScale = { zero: false, ...(opts.logY ? { type: 'log' as const } : {}), ...(opts.yDomain ? { domain: opts.yDomain } : {}) };
  return {
    $schema: SCHEMA, title: opts.title ?? '', width: opts.width ?? 420, height: opts.height ?? 260,
    encoding: {
      // Log axes label as 1e-5 (matplotlib's 10^-5) rather than 0.00001.
      x: { field: 'x', type: 'quantitative', title: opts.xTitle ?? 'x', ...(opts.logX ? { scale: { type: 'log' }, axis: { format: '.0e' } } : { scale: { zero: false } }) },
      y: { field: 'y', type: 'quantitative', title: opts.yTitle ?? 'y', scale: yScale },
      color,
    },
    layer: [
      { data: { values: rows }, mark: { type: 'line', strokeWidth: 1.5, clip: true } },
      ...(markers.length ? [{ data: { values: markers }, mark: { type: 'point' as const, filled: true, size: 70, opacity: 1 } }] : []),
    ],
  };
}

export interface FunctionOpts extends PlotOpts {
  min?: number;
  max?: number;
  /** x and y axis titles, as the course's `plot_function(f, tx, ty)`. */
  tx?: string;
  ty?: string;
  points?: number;
  ylim?: [number, number];
}

/** x = linspace(min, max, points) and y = f(x), as the course's `plot_function` computes them. */
export function sampleFunction(f: (x: number) => number, min = -2, max = 2, points = 100): { x: number[]; y: number[] } {
  const x = linspace(min, max, points);
  return { x, y: x.map(f) };
}

/** The course's `plot_function(f, min=-2, max=2, title, tx, ty)`; f maps a number to a number. */
export function functionSpec(f: (x: number) => number, opts: FunctionOpts = {}): TopLevelSpec {
  const { min = -2, max = 2, points = 100 } = opts;
  if (!(min < max)) throw new FastgradError(`min must be below max, got min=${min}, max=${max}`);
  const { x, y } = sampleFunction(f, min, max, points);
  return lineSpec({ x, ys: { [opts.ty ?? 'f(x)']: y } }, {
    title: opts.title ?? '', xTitle: opts.tx ?? 'x', yTitle: opts.ty ?? 'y', width: opts.width, height: opts.height, yDomain: opts.ylim,
  });
}

export interface ImageOpts {
  title?: string;
  /** Pixels per cell. */
  cell?: number;
  /** 'greys': high values dark (the book's MNIST look); 'gray': high values light (a photo). */
  cmap?: 'greys' | 'gray';
  /** Value range of the colour scale; defaults to the data's min and max, as matplotlib's imshow. */
  vmin?: number;
  vmax?: number;
}

// matplotlib's 'Greys' (ColorBrewer, white → black), which fastai's show_image and pandas' background_gradient use;
// vega's own 'greys' scheme stops short of white and black.
const GREYS = ['#ffffff', '#f0f0f0', '#d9d9d9', '#bdbdbd', '#969696', '#737373', '#525252', '#252525', '#000000'];
function greyScale([lo, hi]: [number, number], reverse = false) {
  const range = reverse ? [...GREYS].reverse() : GREYS;
  return { domain: range.map((_, i) => lo + ((hi - lo) * i) / (range.length - 1)), range, clamp: true, interpolate: 'rgb' as const };
}

function extent(grid: number[][], o: { vmin?: number; vmax?: number }): [number, number] {
  // NOTE: a loop, not Math.min(...flat): spreading an image's pixels overflows the call stack past ~125k
  let min = Infinity, max = -Infinity;
  for (const row of grid) for (const v of row) if (Number.isFinite(v)) (min = Math.min(min, v)), (max = Math.max(max, v));
  const lo = o.vmin ?? min, hi = o.vmax ?? max;
  return hi > lo ? [lo, hi] : [lo, lo + 1]; // a constant image still needs a non-empty domain
}

// A unit (no $schema), so gridSpec can concatenate several.
function imageUnit(values: Mat, o: ImageOpts) {
  const grid = toMat(values, 'values');
  const cell = o.cell ?? 8;
  const rows: Row[] = grid.flatMap((r, i) => r.map((v, j) => ({ r: i, c: j, v: finiteOrNull(v) })));
  const band = (field: string) => ({ field, type: 'ordinal' as const, axis: null, scale: { paddingInner: 0, paddingOuter: 0 } });
  const color = {
    field: 'v', type: 'quantitative' as const, legend: null,
    scale: greyScale(extent(grid, o), o.cmap === 'gray'),
  };
  return {
    title: o.title ?? '', width: grid[0]!.length * cell, height: grid.length * cell,
    view: { stroke: null }, data: { values: rows },
    // The stroke in the cell's own colour hides anti-aliasing seams between neighbouring rects.
    mark: { type: 'rect' as const, strokeWidth: 0.5 },
    encoding: { x: band('c'), y: band('r'), color, stroke: color },
  };
}

/** A 2-D tensor shown as a grayscale image, like fastai's `show_image` (one rect per pixel). */
export function imageSpec(values: Mat, opts: ImageOpts = {}): TopLevelSpec {
  return { $schema: SCHEMA, ...imageUnit(values, opts) };
}

/** A few images in a row (wrapping after `columns`), each with its title, like `show_batch`/`show_images`. */
export function gridSpec(images: readonly { values: Mat; title?: string }[], opts: ImageOpts & { columns?: number } = {}): TopLevelSpec {
  if (images.length === 0) throw new FastgradError('images: expected at least one image');
  return {
    $schema: SCHEMA, title: opts.title ?? '', columns: opts.columns ?? images.length,
    concat: images.map((im) => imageUnit(im.values, { ...opts, title: im.title ?? '' })),
    resolve: { scale: { color: 'independent', stroke: 'independent' } },
  };
}

export interface HeatTableOpts extends Omit<ImageOpts, 'cell' | 'cmap'> {
  /** Labels start here, e.g. 4 for the book's `im3_t[4:15, 4:22]`. */
  rowOffset?: number;
  colOffset?: number;
  cellWidth?: number;
  cellHeight?: number;
  fontSize?: number;
  decimals?: number;
}

/** The book's pixel table: numbers in cells on a grey background, as `df.style.background_gradient('Greys')`. */
export function heatTableSpec(values: Mat, opts: HeatTableOpts = {}): TopLevelSpec {
  const grid = toMat(values, 'values');
  const [lo, hi] = extent(grid, opts);
  const { rowOffset = 0, colOffset = 0, decimals = 0 } = opts;
  const rows: Row[] = grid.flatMap((r, i) => r.map((v, j) => ({
    r: i + rowOffset, c: j + colOffset, v: finiteOrNull(v), label: Number.isFinite(v) ? v.toFixed(decimals) : '',
    // pandas switches to white text where the cell's luminance is below 0.408: about 43% along 'Greys'.
    dark: (v - lo) / (hi - lo) > 0.43,
  })));
  const bg = { field: 'v', type: 'quantitative' as const, legend: null, scale: greyScale([lo, hi]) };
  const axis = { title: null, ticks: false, domain: false, labelAngle: 0, labelFontSize: opts.fontSize ?? 8, labelPadding: 3 };
  return {
    $schema: SCHEMA, title: opts.title ?? '',
    width: grid[0]!.length * (opts.cellWidth ?? 24), height: grid.length * (opts.cellHeight ?? 16),
    data: { values: rows }, view: { stroke: null },
    encoding: {
      x: { field: 'c', type: 'ordinal', axis: { ...axis, orient: 'top' }, scale: { paddingInner: 0, paddingOuter: 0 } },
      y: { field: 'r', type: 'ordinal', axis, scale: { paddingInner: 0, paddingOuter: 0 } },
    },
    layer: [
      { mark: { type: 'rect', strokeWidth: 0.5 }, encoding: { color: bg, stroke: bg } },
      {
        mark: { type: 'text', fontSize: opts.fontSize ?? 8, baseline: 'middle' },
        encoding: { text: { field: 'label' }, color: { condition: { test: 'datum.dark', value: 'white' }, value: 'black' } },
      },
    ],
  };
}
