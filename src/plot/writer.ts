// Writing a plot to a file, as a hook: the spec builders here are pure and run anywhere, but rendering
// to SVG/PNG needs vega, sharp and the file system, which only the Node entry (`fastgrad/node`) loads.
// It registers viz.savePlot here, so `learn.recorder.plotLoss('loss.png')` works from either entry in
// Node without the learner layer importing viz, and a browser bundle never pulls in the renderer.
import { FastgradError } from '../errors.js';
import type { TopLevelSpec } from './specs.js';

export interface WritePlotOpts {
  /** PNG pixels per SVG unit (default 2). */
  scale?: number;
}
/** Renders `spec` to `path` (.svg or .png) and returns the path. */
export type PlotWriter = (spec: TopLevelSpec, path: string, opts: WritePlotOpts) => Promise<string>;

let writer: PlotWriter | null = null;

/** Install (or, with null, remove) the function that writes plots to files; `fastgrad/node` installs viz.savePlot. */
export function setPlotWriter(w: PlotWriter | null): void {
  writer = w;
}

/** Write `spec` to `path` through the installed writer; a clear error when none is (the core entry alone). */
export async function writePlot(spec: TopLevelSpec, path: string, opts: WritePlotOpts = {}): Promise<string> {
  if (typeof path !== 'string' || path === '') throw new FastgradError(`path: expected a file name ending in .svg or .png, got ${JSON.stringify(path)}`);
  if (!writer) {
    throw new FastgradError(
      `writing the plot to ${JSON.stringify(path)} needs the Node entry: import from 'fastgrad/node' (it renders SVG/PNG with vega and sharp). ` +
        'Without a path the spec is returned; a page can draw it with vega-embed.',
    );
  }
  return writer(spec, path, opts);
}
